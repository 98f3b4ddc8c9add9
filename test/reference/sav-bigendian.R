# Checks the big-endian SPSS files (fixtures/formats/sav/bigendian/, written by
# test/reference/sav-bigendian.py from the little-endian files beside them) with R haven, an
# independent reader: each must read to exactly what its little-endian original reads to
# (names, labels, value labels, values). Then writes what haven reads from the big-endian
# files to test/reference/sav-bigendian.json, in the form of sav-files.json.
# Run from the repository root: Rscript test/reference/sav-bigendian.R
library(haven)
library(jsonlite)
dir <- "fixtures/formats/sav"
value_text <- function(x) {
  if (inherits(x, "Date")) return(ifelse(is.na(x), NA, format(x, "%Y-%m-%d")))
  if (inherits(x, "POSIXct")) {
    return(ifelse(is.na(x), NA, ifelse(format(x, "%H:%M:%S", tz = "UTC") == "00:00:00",
                                       format(x, "%Y-%m-%d", tz = "UTC"), format(x, "%Y-%m-%dT%H:%M:%S", tz = "UTC"))))
  }
  as.vector(zap_labels(x))
}
out <- list()
for (f in list.files(file.path(dir, "bigendian"), pattern = "\\.z?sav$")) {
  be <- read_sav(file.path(dir, "bigendian", f), user_na = FALSE)
  le <- read_sav(file.path(dir, sub("_be\\.", ".", f)), user_na = FALSE)
  stopifnot(identical(be, le), nrow(be) > 0)
  vars <- lapply(names(be), function(n) {
    x <- be[[n]]
    labs <- attr(x, "labels")
    list(
      name = n,
      label = if (is.null(attr(x, "label"))) NULL else attr(x, "label"),
      labels = if (is.null(labs)) NULL else lapply(seq_along(labs), function(i) list(value = unname(labs[[i]]), label = names(labs)[i])),
      values = value_text(x)
    )
  })
  out[[f]] <- list(variables = vars)
}
writeLines(toJSON(out, auto_unbox = TRUE, null = "null", na = "null", digits = NA, pretty = TRUE), "test/reference/sav-bigendian.json", useBytes = TRUE)
