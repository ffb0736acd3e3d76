def write_workbook(db_path, path):
    raise NotImplementedError
