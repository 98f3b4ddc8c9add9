# Peer for benchmarks: the core of `alliance describe` in R (data.table), as describe.py:
# rows, clients, therapists, sessions per client (min, quartiles, median, max, mean), clients with a
# single session, date span; per measure: n, missing, mean, SD, min, max, and the share of clients whose
# first value (by session) is beyond the measure's clinical cut-off (COL=<CUT, <=CUT, >=CUT or >CUT).
# Usage: Rscript describe.R FILE CLIENT SESSION DATE THERAPIST COL=OPCUT [COL=OPCUT ...]
# Needs Debian packages r-base-core r-cran-data.table.
suppressMessages(library(data.table))
a <- commandArgs(trailingOnly = TRUE)
cl <- a[2]; se <- a[3]; dt <- a[4]; th <- a[5]
spec <- regmatches(a[-(1:5)], regexec("^([^=]+)=(<=|>=|<|>)(.*)$", a[-(1:5)]))
cols <- vapply(spec, `[`, "", 2)
d <- fread(a[1], select = c(cl, se, dt, th, cols), colClasses = setNames(c("character", "character"), c(cl, th)))
spc <- d[, .N, by = cl]$N
dates <- as.IDate(d[[dt]])
setorderv(d, c(cl, se))
cat(sprintf("rows=%d clients=%d therapists=%d sessions/client %s mean=%.6f single=%d dates %s..%s\n",
            nrow(d), length(spc), uniqueN(d[[th]]), paste(quantile(spc), collapse = "/"), mean(spc),
            sum(spc == 1), min(dates, na.rm = TRUE), max(dates, na.rm = TRUE)))
for (m in spec) {
  col <- m[2]; op <- m[3]; cut <- as.numeric(m[4]); v <- d[[col]]
  first <- d[!is.na(get(col)), .(f = get(col)[1]), by = cl]$f
  beyond <- switch(op, "<" = first < cut, "<=" = first <= cut, ">=" = first >= cut, ">" = first > cut)
  cat(sprintf("%s n=%d missing=%d mean=%.6f sd=%.6f min=%g max=%g intake=%d beyond=%.6f\n", col, sum(!is.na(v)),
              sum(is.na(v)), mean(v, na.rm = TRUE), sd(v, na.rm = TRUE), min(v, na.rm = TRUE), max(v, na.rm = TRUE),
              length(first), mean(beyond)))
}
