# What R haven reads from an SPSS file, in the form of test/reference/sav-files.json: per
# variable the name, label, value labels and the values (user-missing and system-missing as
# null, dates as yyyy-mm-dd, date-times as yyyy-mm-ddTHH:MM:SS). Sourced by sav-files.R and
# sav-bigendian.R (run from the repository root).
library(haven)
library(jsonlite)
value_text <- function(x) {
  if (inherits(x, "Date")) return(ifelse(is.na(x), NA, format(x, "%Y-%m-%d")))
  if (inherits(x, "POSIXct")) {
    return(ifelse(is.na(x), NA, ifelse(format(x, "%H:%M:%S", tz = "UTC") == "00:00:00",
                                       format(x, "%Y-%m-%d", tz = "UTC"), format(x, "%Y-%m-%dT%H:%M:%S", tz = "UTC"))))
  }
  as.vector(zap_labels(x))
}
sav_variables <- function(r) {
  list(variables = lapply(names(r), function(n) {
    x <- r[[n]]
    labs <- attr(x, "labels")
    list(
      name = n,
      label = if (is.null(attr(x, "label"))) NULL else attr(x, "label"),
      labels = if (is.null(labs)) NULL else lapply(seq_along(labs), function(i) list(value = unname(labs[[i]]), label = names(labs)[i])),
      values = value_text(x)
    )
  }))
}
write_reference <- function(out, path) {
  writeLines(toJSON(out, auto_unbox = TRUE, null = "null", na = "null", digits = NA, pretty = TRUE), path, useBytes = TRUE)
}
