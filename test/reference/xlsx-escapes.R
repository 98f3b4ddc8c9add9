# What R readxl (an independent reader that decodes the OOXML _xHHHH_ escapes) reads from
# fixtures/formats/escapes.xlsx (written by test/reference/xlsx-escapes.py): the header and
# every cell as text, to test/reference/xlsx-escapes.json.
# readxl reads a formula's cached string (<v> of a t="str" cell) as written, undecoded;
# ECMA-376 types <v> as ST_Xstring too, so test/io/xlsx-escapes.test.ts expects that one cell
# decoded and says so. Run from the repository root: Rscript test/reference/xlsx-escapes.R
suppressPackageStartupMessages({
  library(readxl)
  library(jsonlite)
})
d <- read_excel("fixtures/formats/escapes.xlsx", sheet = "Sessions", col_types = "text")
out <- list(
  readxl = as.character(packageVersion("readxl")),
  header = names(d),
  records = lapply(seq_len(nrow(d)), function(i) list(line = i + 1, fields = unname(as.character(d[i, ]))))
)
writeLines(toJSON(out, auto_unbox = TRUE, pretty = TRUE), "test/reference/xlsx-escapes.json", useBytes = TRUE)
