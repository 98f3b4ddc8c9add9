# SPSS files for the .sav decoder's tests (test/io/sav-decoder.test.ts), written by the two
# tools people use, and what R haven reads from each (the reference, never our output).
#
# 1. R haven write_sav: fixtures/formats/sav/haven_{byte,none,zsav}.sav from one data frame
#    with UTF-8 strings (short, longer than 8 bytes with multi-byte characters across 8-byte
#    boundaries, and longer than 255 bytes: a very long string), value labels on a number
#    and on a long string, user-missing values (discrete and a range), SPSS dates and
#    date-times, system-missing.
# 2. PSPP (pspp, Debian package): the haven file read and saved again with /COMPRESSED,
#    /UNCOMPRESSED and /ZCOMPRESSED (PSPP writes its own dictionary: record 21/22, very long
#    string segments), and a windows-1252 file (sav/pspp_cp1252.sav) defined in PSPP syntax.
# 3. Every file read with haven::read_sav(user_na = FALSE) to test/reference/sav-files.json:
#    per file and variable the name, label, value labels and the values (user-missing and
#    system-missing as null, dates as yyyy-mm-dd, date-times as yyyy-mm-ddTHH:MM:SS).
#
# Run from the repository root: Rscript test/reference/sav-files.R (needs pspp on PATH).
library(haven)
library(jsonlite)
dir <- "fixtures/formats/sav"
dir.create(dir, showWarnings = FALSE, recursive = TRUE)

long_text <- paste0(strrep("Überprüfung der Ausgabe 0123456789, ", 8), "Ende: Øresund—“Zitat” ✓")
d <- data.frame(
  id = c("A1", "B2", "C3", "D4"),
  place = c("Köln", "Ålesund Øst-Überland", "Ça va, très bien?", ""),
  note = c(long_text, "kurz", "", paste0(strrep("é", 140), "x")),
  stringsAsFactors = FALSE
)
d$site <- labelled(c(1, 2, 3, 2), labels = c(North = 1, South = 2, "Ost (Zürich)" = 3), label = "Clinic site")
d$clinic <- labelled(c("north-west unit", "south-east unit", "north-west unit", "unknown"),
                     labels = c("Nordwest-Abteilung" = "north-west unit", "Südost-Abteilung" = "south-east unit"),
                     label = "Clinic unit (long string labels)")
d$srs <- labelled_spss(c(35.5, -99, 28, -98), labels = c(Missing = -99, Refused = -98), na_values = c(-99, -98),
                       label = "Session Rating Scale total (0-40)")
d$ors <- labelled_spss(c(12.25, 999, 30, NA), na_range = c(900, Inf), label = "Outcome Rating Scale total")
d$date <- as.Date(c("2024-01-15", "1999-12-31", NA, "1583-01-01"))
d$when <- as.POSIXct(c("2024-01-15 09:30:00", "2024-02-29 23:59:59", "1970-01-01 00:00:00", NA), tz = "UTC")
d$phq9 <- c(1e-7, 123456789.125, -0.1, 27)
attr(d$id, "label") <- "Client code"
attr(d$place, "label") <- "Place (UTF-8, more than 8 bytes)"
attr(d$note, "label") <- "Note (more than 255 bytes)"

write_sav(d, file.path(dir, "haven_byte.sav"), compress = "byte")
write_sav(d, file.path(dir, "haven_none.sav"), compress = "none")
write_sav(d, file.path(dir, "haven_zsav.zsav"), compress = "zsav")

pspp <- function(syntax) {
  f <- tempfile(fileext = ".sps")
  writeLines(syntax, f, useBytes = TRUE)
  stopifnot(system2("pspp", c("-O", "format=txt", "-o", tempfile(fileext = ".txt"), f)) == 0)
}
src <- file.path(dir, "haven_none.sav")
pspp(c(
  sprintf("GET FILE='%s'.", src),
  sprintf("SAVE OUTFILE='%s' /COMPRESSED.", file.path(dir, "pspp_compressed.sav")),
  sprintf("SAVE OUTFILE='%s' /UNCOMPRESSED.", file.path(dir, "pspp_uncompressed.sav")),
  sprintf("SAVE OUTFILE='%s' /ZCOMPRESSED.", file.path(dir, "pspp_zcompressed.zsav"))
))
# A file in windows-1252 (as SPSS wrote before Unicode mode): PSPP's dictionary encoding
# follows SET LOCALE; the syntax file itself is UTF-8.
pspp(c(
  "SET LOCALE='windows-1252'.",
  "DATA LIST LIST /id (A4) place (A20) site (F1.0) srs (F4.1).",
  "BEGIN DATA.",
  "A1 'Köln Süd' 1 35.5",
  "B2 'Ça va, très bien' 2 -99",
  "C3 'naïve café' 1 20",
  "END DATA.",
  "VARIABLE LABELS place 'Place in windows-1252 (é, ü)'.",
  "VALUE LABELS site 1 'Nord (Zürich)' 2 'Süd'.",
  "MISSING VALUES srs (-99).",
  sprintf("SAVE OUTFILE='%s'.", file.path(dir, "pspp_cp1252.sav"))
))

source("test/reference/sav-read.R")
out <- list()
for (f in list.files(dir, pattern = "\\.z?sav$")) out[[f]] <- sav_variables(read_sav(file.path(dir, f), user_na = FALSE))
write_reference(out, "test/reference/sav-files.json")
