# Checks the big-endian SPSS files (fixtures/formats/sav/bigendian/, written by
# test/reference/sav-bigendian.py from the little-endian files beside them) with R haven, an
# independent reader: each must read to exactly what its little-endian original reads to
# (names, labels, value labels, values). Then writes what haven reads from the big-endian
# files to test/reference/sav-bigendian.json, in the form of sav-files.json.
# Run from the repository root: Rscript test/reference/sav-bigendian.R
source("test/reference/sav-read.R")
dir <- "fixtures/formats/sav"
out <- list()
for (f in list.files(file.path(dir, "bigendian"), pattern = "\\.z?sav$")) {
  be <- read_sav(file.path(dir, "bigendian", f), user_na = FALSE)
  le <- read_sav(file.path(dir, sub("_be\\.", ".", f)), user_na = FALSE)
  stopifnot(identical(be, le), nrow(be) > 0)
  out[[f]] <- sav_variables(be)
}
write_reference(out, "test/reference/sav-bigendian.json")
