# Reference values for exact zeros in `alliance correlate` (issue 9.4): four small files of
# integer scores (found by a search for cases where the tool's floating-point sums left a
# residue of about 1e-16) whose co-moment is exactly zero in integer arithmetic:
#   pooled:  n sum(x y) - sum(x) sum(y) = 0 over all rows;
#   between: the same over the client means (clients have 3 rows each, so over client sums);
#   within:  sum over clients of (n_c sum(x y) - sum(x) sum(y)) / n_c = 0 (equal n_c = 3);
#   early:   with x = alliance at session 2, y = outcome at session 3 (final), z = outcome at
#            session 1 (intake), one row per client: the partial / semi-partial numerator
#            S_xy S_zz - S_xz S_yz = 0 (S = n sum(a b) - sum(a) sum(b)).
# Every quantity is an integer below 2^53, so R's double arithmetic is exact here. Then the
# correlation is 0, its t is 0 and its two-sided p is 1 (2 * pt(0, df, lower = FALSE) = 1),
# and it has no direction. R's own cor() on the same data is written beside ("r_float") to
# show the rounding residue the definition removes.
# Run: Rscript test/reference/zero.R
library(jsonlite)

rows <- function(v) {
  m <- matrix(v, ncol = 4, byrow = TRUE)
  data.frame(client = m[, 1], session = as.integer(m[, 2]), a = as.numeric(m[, 3]), o = as.numeric(m[, 4]))
}
S <- function(x, y) length(x) * sum(x * y) - sum(x) * sum(y)

cases <- list(
  pooled = rows(c("c1",1,40,16, "c1",2,36,8, "c1",3,35,13, "c2",1,29,17, "c2",2,35,11, "c2",3,29,19,
                  "c3",1,23,17, "c3",2,34,12, "c3",3,35,14, "c4",1,31,21, "c4",2,23,7, "c4",3,34,10,
                  "c5",1,31,11, "c5",2,36,15, "c5",3,23,6, "c6",1,34,11, "c6",2,26,6, "c6",3,20,20)),
  between = rows(c("c1",1,34,7, "c1",2,28,16, "c1",3,36,24, "c2",1,31,23, "c2",2,37,13, "c2",3,36,13,
                   "c3",1,37,13, "c3",2,38,23, "c3",3,22,20, "c4",1,32,9, "c4",2,39,20, "c4",3,35,22,
                   "c5",1,21,25, "c5",2,39,12, "c5",3,20,10, "c6",1,20,14, "c6",2,27,22, "c6",3,30,17)),
  within = rows(c("c1",1,25,18, "c1",2,21,27, "c1",3,26,21, "c2",1,34,10, "c2",2,22,12, "c2",3,38,21,
                  "c3",1,24,14, "c3",2,20,12, "c3",3,32,6, "c4",1,35,17, "c4",2,20,10, "c4",3,40,14,
                  "c5",1,35,27, "c5",2,38,26, "c5",3,37,8, "c6",1,36,10, "c6",2,27,21, "c6",3,22,14)),
  early = rows(c("c1",1,28,11, "c1",2,33,25, "c1",3,20,28, "c2",1,39,14, "c2",2,33,9, "c2",3,20,21,
                 "c3",1,38,22, "c3",2,38,17, "c3",3,25,25, "c4",1,36,14, "c4",2,33,6, "c4",3,38,13,
                 "c5",1,20,22, "c5",2,32,21, "c5",3,21,13, "c6",1,35,12, "c6",2,40,22, "c6",3,26,17,
                 "c7",1,34,19, "c7",2,33,19, "c7",3,37,30))
)

out <- list()
for (name in names(cases)) {
  d <- cases[[name]]
  ids <- unique(d$client)
  if (name == "pooled") {
    num <- S(d$a, d$o); df <- nrow(d) - 2; r_float <- cor(d$a, d$o)
  } else if (name == "between") {
    ma <- tapply(d$a, d$client, mean)[ids]; mo <- tapply(d$o, d$client, mean)[ids]
    num <- S(tapply(d$a, d$client, sum)[ids], tapply(d$o, d$client, sum)[ids]); df <- length(ids) - 2
    r_float <- cor(ma, mo)
  } else if (name == "within") {
    num <- sum(sapply(ids, function(i) { x <- d[d$client == i, ]; S(x$a, x$o) }))
    df <- nrow(d) - length(ids) - 1
    ca <- d$a - ave(d$a, d$client); co <- d$o - ave(d$o, d$client)
    r_float <- sum(ca * co) / sqrt(sum(ca^2) * sum(co^2))
  } else {
    x <- sapply(ids, function(i) d$a[d$client == i & d$session == 2])
    y <- sapply(ids, function(i) d$o[d$client == i & d$session == 3])
    z <- sapply(ids, function(i) d$o[d$client == i & d$session == 1])
    num <- S(x, y) * S(z, z) - S(x, z) * S(y, z); df <- length(ids) - 3
    r_float <- -solve(cov(cbind(x, y, z)))[1, 2] / sqrt(solve(cov(cbind(x, y, z)))[1, 1] * solve(cov(cbind(x, y, z)))[2, 2])
  }
  stopifnot(num == 0)
  out[[name]] <- list(
    rows = lapply(seq_len(nrow(d)), function(i) list(client = d$client[i], session = d$session[i], a = d$a[i], o = d$o[i])),
    numerator = num, r = 0, t = 0, df = df, p = 2 * pt(0, df, lower.tail = FALSE), r_float = r_float
  )
}
write_json(out, "test/reference/zero.json", auto_unbox = TRUE, digits = NA, pretty = TRUE)
