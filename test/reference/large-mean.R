# Reference for `alliance describe` and `alliance trend` at a large mean: an outcome recorded
# as 1e9 + a score with three decimals (fixtures/describe/large-mean.csv, written here,
# seeded). An inline Welford update lost digits of describe's SD there (R's sd() is a
# two-pass computation), and decimalsOf read 1000000014.123 as a one-decimal score, so
# trend rounded changes to one decimal. Trend reference (docs/trend.md): per client
# pre = first, post = last score, change = post - pre in exact integer arithmetic on the
# scores times 1000; reliable change with --rc-threshold 5, higher better: change >= 5
# improved, <= -5 deteriorated.
# Run from the repository root: Rscript test/reference/large-mean.R
# (writes fixtures/describe/large-mean.csv and test/reference/large-mean.json)
set.seed(20261207)
k <- 40
s <- 6
d <- data.frame(client_id = rep(sprintf("L%02d", 1:k), each = s), session = rep(1:s, k))
d$bond <- sprintf("%.1f", pmin(40, pmax(0, round(rnorm(k * s, 34, 3), 1))))
d$score <- sprintf("%.3f", 1e9 + round(rnorm(k * s, 14, 4), 3))
write.csv(d, "fixtures/describe/large-mean.csv", row.names = FALSE, quote = FALSE)
x <- read.csv("fixtures/describe/large-mean.csv", colClasses = c("character", "integer", "numeric", "character"))
x$value <- as.numeric(x$score)
# Thousandths as exact integers: "1000000014.123" -> 1000000014123 (< 2^53).
x$milli <- as.numeric(sub(".", "", x$score, fixed = TRUE))
num <- function(v) sprintf("%.17g", v)
x <- x[order(x$client_id, x$session), ]
ch <- sapply(split(x, x$client_id), function(g) (g$milli[nrow(g)] - g$milli[1]) / 1000)
pre <- sapply(split(x, x$client_id), function(g) g$value[1])
out <- paste0('{\n"r_version": "', R.version.string, '",\n',
  '"bond": {"n": ', length(x$bond), ', "mean": ', num(mean(x$bond)), ', "sd": ', num(sd(x$bond)), '},\n',
  '"score": {"n": ', length(x$value), ', "mean": ', num(mean(x$value)), ', "sd": ', num(sd(x$value)), '},\n',
  '"trend": {"completed": ', length(ch), ', "changes": [', paste(num(ch), collapse = ", "), '],\n',
  '  "mean_change": ', num(mean(ch)), ', "sd_change": ', num(sd(ch)), ', "sd_pre": ', num(sd(pre)),
  ', "improved": ', sum(ch >= 5), ', "deteriorated": ', sum(ch <= -5), '}\n}\n')
cat(out, file = "test/reference/large-mean.json")
