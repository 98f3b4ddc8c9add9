# Minimal JSON writer with full double precision (%.17g), shared by the reference
# scripts: jsonlite's toJSON caps numbers at 15 significant digits.
# Scalars are unboxed; vectors of length != 1 become arrays; use I(x) to force an array.
# NA / NaN / Inf become null (reference outputs should not contain them).
to_json <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    nms <- names(x)
    parts <- vapply(x, to_json, character(1))
    if (!is.null(nms) && all(nms != "")) {
      keys <- vapply(nms, function(k) to_json_str(k), character(1))
      return(paste0("{", paste0(keys, ":", parts, collapse = ","), "}"))
    }
    return(paste0("[", paste0(parts, collapse = ","), "]"))
  }
  force_array <- inherits(x, "AsIs")
  if (is.factor(x)) x <- as.character(x)
  vals <- if (is.character(x)) {
    vapply(x, function(s) if (is.na(s)) "null" else to_json_str(s), character(1))
  } else if (is.logical(x)) {
    ifelse(is.na(x), "null", ifelse(x, "true", "false"))
  } else {
    x <- as.numeric(x)
    ifelse(is.finite(x), ifelse(x == round(x) & abs(x) < 1e15, sprintf("%.0f", x), sprintf("%.17g", x)), "null")
  }
  if (length(vals) == 1 && !force_array) return(unname(vals))
  paste0("[", paste0(vals, collapse = ","), "]")
}
to_json_str <- function(s) {
  s <- gsub("\\\\", "\\\\\\\\", s)
  s <- gsub("\"", "\\\\\"", s)
  s <- gsub("\n", "\\\\n", s)
  paste0("\"", s, "\"")
}
write_json_file <- function(x, path) writeLines(to_json(x), path)
