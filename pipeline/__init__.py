"""nianbao: collect, check and compare annual reports on government information disclosure."""

__version__ = "0.1.0"
# Bumped whenever reading changes what a file yields; the pipeline re-reads files whose
# (sha256, PARSER_VERSION) it has not seen.
# 4: real-report reading, .doc; 5: scans and images read by OCR; 6: OCR page text detected at
# 1,100 px, numbered page images read as one report
PARSER_VERSION = "6"
