# Peer for benchmarks: `alliance model`'s default model in R (data.table + lme4 + lmerTest):
# outcome ~ alliance_within + alliance_between + (1 | client) by REML, Satterthwaite df, where
# alliance_between is the client's mean alliance over the rows with both values.
# Usage: Rscript model.R FILE CLIENT ALLIANCE OUTCOME
# Needs Debian packages r-base-core r-cran-data.table r-cran-lme4 and R package lmerTest.
suppressMessages({ library(data.table); library(lmerTest) })
a <- commandArgs(trailingOnly = TRUE)
d <- fread(a[1], select = a[2:4]); setnames(d, c("client", "x", "y"))
d <- d[!is.na(x) & !is.na(y)]
d[, `:=`(xb = mean(x), xw = x - mean(x)), by = client]
m <- lmer(y ~ xw + xb + (1 | client), data = d, REML = TRUE)
print(coef(summary(m, ddf = "Satterthwaite")))
