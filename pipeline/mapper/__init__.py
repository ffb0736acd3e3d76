"""The one mapper from a document's table grids to codebook cells, shared by every reader.

Values are anchored to row labels and column headers, never to the order of numbers in a stream:
  * a row is found by its label (codebook patterns, with the group it sits in as context);
  * the columns are the table's own header, read in order (Table 3's 法人或其他组织 group is
    replaced by its sub-columns wherever it stands, an eighth 小计 column is kept as a column);
  * a row's values are the cells that follow its label, in header order; blank cells count, merged
    cells (continuations) do not; surplus blank cells left by merged label cells are trimmed only
    where they are unambiguous, otherwise the row is reported, not guessed.
No semantic is turned into another: blank stays EMPTY, "/" stays NA, a cell that is not in the
document is MISSING.

The mapper is split by table: `common` (a row as read, fitting cells to columns), `table2`, `table3`,
`table4` (one reader each) and `document` (walking a document's blocks, the cells and the problems
of structure).
"""

from .common import MapResult, RowRead
from .table2 import T2Reader
from .table3 import T3Reader
from .table4 import T4Reader
from .walk import map_document, missing_cell

__all__ = ["MapResult", "RowRead", "T2Reader", "T3Reader", "T4Reader", "map_document", "missing_cell"]
