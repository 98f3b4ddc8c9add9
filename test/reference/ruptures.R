# Reference values for `alliance ruptures` (src/analysis/ruptures.ts, src/stats/welch.ts),
# computed in base R from the definitions in docs/ruptures.md, independently of the
# TypeScript code:
#   per client, the rated alliance sessions (non-missing srs) in session order;
#   rupture at rated session i when prev - cur >= drop (differences rounded to 9 decimals,
#   so decimal scores exactly on the threshold count); pre-level = the previous score;
#   repaired at the first later rated session within `window` sessions (session number
#   <= rupture session + window) whose score >= pre-level; else unrepaired when the last
#   rated session is >= rupture session + window, else unresolved (and the search ends);
#   the next search starts after the repair, or at the first rated session after the window;
#   class: none / unrepaired (any) / repaired (all) / unresolved;
#   default drop = k * sigma(lm(srs ~ factor(client))) (pooled within-client SD);
#   change = last - first outcome (later session), as alliance trend;
#   per class: n, mean, sd, t.test(x)$conf.int; share of assessed clients with
#   prop.test(correct = FALSE)$conf.int; Welch: t.test(x, y) (var.equal = FALSE);
#   by therapist: assessed clients, clients with a rupture (Wilson CI), episodes per 100
#   rated sessions, repaired / (repaired + unrepaired) (Wilson CI); groups with fewer
#   clients than min_clients suppressed; a client's group = that of their first session with
#   a therapist (docs/report.md, "Clients who change group").
# Data: fixtures/ruptures/planted.csv (alliance simulate with therapist effects and planted
#   ruptures; the command line is in fixtures/ruptures/README.md) and
#   fixtures/ruptures/edges.csv (hand-written boundary cases).
# Run: Rscript test/reference/ruptures.R   (writes test/reference/ruptures.json)
source("test/reference/json.R")

episodes_of <- function(s, a, drop, window) {
  out <- list()
  n <- length(s)
  i <- 2
  while (i <= n) {
    pre <- a[i - 1]
    d <- pre - a[i]
    if (round(d - drop, 9) < 0) { i <- i + 1; next }
    end <- s[i] + window
    later <- which(seq_len(n) > i & s <= end)
    rep <- later[round(a[later] - pre, 9) >= 0]
    if (length(rep) > 0) {
      j <- rep[1]; status <- "repaired"; rs <- s[j]
    } else if (s[n] >= end) {
      status <- "unrepaired"; rs <- NA
    } else {
      status <- "unresolved"; rs <- NA
    }
    out[[length(out) + 1]] <- list(session = s[i], previous = s[i - 1], pre = pre, score = a[i], drop = d, status = status, repair = rs)
    if (status == "unresolved") break
    if (status == "repaired") i <- j + 1 else i <- min(c(which(s > end), n + 1))
  }
  out
}

class_of <- function(eps) {
  if (length(eps) == 0) return("none")
  st <- vapply(eps, function(e) e$status, "")
  if (any(st == "unrepaired")) return("unrepaired")
  if (all(st == "repaired")) return("repaired")
  "unresolved"
}

wilson <- function(x, n) if (n == 0) NULL else as.numeric(prop.test(x, n, correct = FALSE)$conf.int)

run_case <- function(name, file, alliance, outcome, client = "client_id", therapist = "therapist_id",
                     drop = NULL, k = 2, window = 3, by = FALSE, min_clients = 5) {
  d <- read.csv(file, stringsAsFactors = FALSE)
  d <- d[order(d[[client]], d$session), ]
  rated <- d[!is.na(d[[alliance]]), ]
  fit <- lm(rated[[alliance]] ~ factor(rated[[client]]))
  within_sd <- sigma(fit)
  if (is.null(drop)) drop <- k * within_sd
  ids <- sort(unique(d[[client]]))
  classes <- character(0); changes <- numeric(0); clients <- list()
  ep_count <- c(repaired = 0, unrepaired = 0, unresolved = 0)
  grp <- list()
  for (id in ids) {
    x <- d[d[[client]] == id, ]
    r <- x[!is.na(x[[alliance]]), ]
    o <- x[!is.na(x[[outcome]]), ]
    ch <- if (nrow(o) >= 2 && max(o$session) > min(o$session)) o[[outcome]][nrow(o)] - o[[outcome]][1] else NA
    if (nrow(r) < 2) {
      clients[[length(clients) + 1]] <- list(client = id, class = NA, episodes = I(list()), change = ch)
      next
    }
    eps <- episodes_of(r$session, r[[alliance]], drop, window)
    cl <- class_of(eps)
    for (e in eps) ep_count[e$status] <- ep_count[e$status] + 1
    classes[id] <- cl
    changes[id] <- ch
    clients[[length(clients) + 1]] <- list(client = id, class = cl, episodes = I(lapply(eps, function(e) list(session = e$session, pre_level = e$pre, drop = e$drop, status = e$status))), change = ch)
    if (by) {
      th <- x[[therapist]][!is.na(x[[therapist]]) & x[[therapist]] != ""]
      g <- th[1]
      if (is.null(grp[[g]])) grp[[g]] <- list(clients = 0, rated = 0, with = 0, episodes = 0, repaired = 0, unrepaired = 0, unresolved = 0)
      grp[[g]]$clients <- grp[[g]]$clients + 1
      grp[[g]]$rated <- grp[[g]]$rated + nrow(r)
      grp[[g]]$with <- grp[[g]]$with + (length(eps) > 0)
      grp[[g]]$episodes <- grp[[g]]$episodes + length(eps)
      for (e in eps) grp[[g]][[e$status]] <- grp[[g]][[e$status]] + 1
    }
  }
  assessed <- length(classes)
  class_rows <- lapply(c("none", "repaired", "unrepaired", "unresolved"), function(k) {
    x <- changes[names(classes)[classes == k]]
    x <- x[!is.na(x)]
    ci <- if (length(x) >= 2) as.numeric(t.test(x)$conf.int) else NULL
    list(class = k, clients = sum(classes == k), share = sum(classes == k) / assessed, share_ci = I(wilson(sum(classes == k), assessed)),
         n = length(x), mean = if (length(x)) mean(x) else NULL, sd = if (length(x) >= 2) sd(x) else NULL, ci = if (is.null(ci)) NULL else I(ci))
  })
  welch <- function(a, b) {
    x <- changes[names(classes)[classes == a]]; x <- x[!is.na(x)]
    y <- changes[names(classes)[classes == b]]; y <- y[!is.na(y)]
    if (length(x) < 2 || length(y) < 2) return(list(contrast = paste(a, "-", b), n1 = length(x), n2 = length(y), estimable = FALSE))
    tt <- t.test(x, y)
    list(contrast = paste(a, "-", b), n1 = length(x), n2 = length(y), estimable = TRUE,
         difference = mean(x) - mean(y), t = unname(tt$statistic), df = unname(tt$parameter), p = tt$p.value, ci = I(as.numeric(tt$conf.int)))
  }
  groups <- NULL; suppressed <- NULL
  if (by) {
    keep <- sort(names(grp))
    suppressed <- keep[vapply(keep, function(g) grp[[g]]$clients < min_clients, TRUE)]
    keep <- setdiff(keep, suppressed)
    groups <- lapply(keep, function(g) {
      x <- grp[[g]]; ended <- x$repaired + x$unrepaired
      list(group = g, clients = x$clients, with_rupture = x$with, share = x$with / x$clients, share_ci = I(wilson(x$with, x$clients)),
           episodes = x$episodes, per100 = 100 * x$episodes / x$rated, repaired = x$repaired, unrepaired = x$unrepaired, unresolved = x$unresolved,
           repaired_share = if (ended > 0) x$repaired / ended else NULL, repaired_ci = if (ended > 0) I(wilson(x$repaired, ended)) else NULL)
    })
  }
  list(name = name, file = file, drop = drop, within_sd = within_sd, within_df = fit$df.residual, window = window,
       assessed = assessed, not_assessed = length(ids) - assessed,
       episodes = list(total = sum(ep_count), repaired = unname(ep_count["repaired"]), unrepaired = unname(ep_count["unrepaired"]), unresolved = unname(ep_count["unresolved"])),
       classes = class_rows, comparisons = list(welch("repaired", "unrepaired"), welch("repaired", "none")),
       groups = if (by) I(groups) else NULL, suppressed = if (by) I(suppressed) else NULL, clients = clients)
}

cases <- list(
  run_case("planted-default", "fixtures/ruptures/planted.csv", "srs", "phq9"),
  run_case("planted-drop4-window2-by", "fixtures/ruptures/planted.csv", "srs", "phq9", drop = 4, window = 2, by = TRUE, min_clients = 19),
  run_case("planted-sd1", "fixtures/ruptures/planted.csv", "srs", "phq9", k = 1),
  run_case("edges-drop2", "fixtures/ruptures/edges.csv", "srs", "ors", client = "client", therapist = "therapist", drop = 2, by = TRUE, min_clients = 1)
)
writeLines(to_json(list(cases = cases)), "test/reference/ruptures.json")
