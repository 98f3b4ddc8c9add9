# Peer for benchmarks: the core of `alliance validate` in R (data.table), as validate.py.
# Range checks for each score column (with row numbers), duplicate client+session rows, sessions whose
# dates go backwards within a client, missing cells per column; the first 100 findings and exact counts.
# Usage: Rscript validate.R FILE CLIENT SESSION DATE COL=MIN:MAX [COL=MIN:MAX ...]
# Needs Debian packages r-base-core r-cran-data.table.
suppressMessages(library(data.table))
a <- commandArgs(trailingOnly = TRUE)
cl <- a[2]; se <- a[3]; dt <- a[4]
rng <- lapply(strsplit(a[-(1:4)], "[=:]"), function(x) list(col = x[1], lo = as.numeric(x[2]), hi = as.numeric(x[3])))
d <- fread(a[1], colClasses = setNames(rep("character", length(rng) + 1), c(cl, vapply(rng, `[[`, "", "col"))))
d[, .line := .I + 1L]
findings <- list(); counts <- list()
add <- function(code, lines, col, values) {
  counts[[code]] <<- (if (is.null(counts[[code]])) 0 else counts[[code]]) + length(lines)
  k <- min(length(lines), 100 - length(findings))
  for (i in seq_len(k)) findings[[length(findings) + 1]] <<- list(code = code, line = lines[i], column = col, value = values[i])
}
for (r in rng) {
  raw <- d[[r$col]]
  v <- suppressWarnings(as.numeric(raw))
  bad <- which(is.na(v) & !is.na(raw) & raw != "")
  add("value.not-numeric", d$.line[bad], r$col, raw[bad])
  out <- which(v < r$lo | v > r$hi)
  add("value.out-of-range", d$.line[out], r$col, raw[out])
}
dup <- which(duplicated(d, by = c(cl, se)))
add("session.duplicate", d$.line[dup], se, as.character(d[[se]][dup]))
o <- d[order(get(cl), get(se))]
o[, .back := c(FALSE, diff(as.IDate(get(dt))) < 0), by = cl]
back <- which(o$.back %in% TRUE)
add("session.date-order", o$.line[back], dt, as.character(o[[dt]][back]))
missing <- vapply(setdiff(names(d), ".line"), function(n) { x <- d[[n]]; sum(is.na(x) | (if (is.character(x)) x == "" else FALSE)) }, 0)
cat(sprintf("rows=%d %s missing %s findings=%d\n", nrow(d), paste(names(counts), unlist(counts), sep = "=", collapse = " "),
            paste(names(missing), missing, sep = "=", collapse = " "), length(findings)))
