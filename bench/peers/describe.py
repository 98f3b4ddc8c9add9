# Peer for benchmarks: the core of `alliance describe` in pandas.
# Rows, clients, therapists, sessions per client (min, quartiles, median, max, mean), clients with a
# single session, date span; per measure: n, missing, mean, SD, min, max, and the share of clients whose
# first value (by session) is beyond the measure's clinical cut-off (COL=<CUT, <=CUT, >=CUT or >CUT).
# Usage: python3 describe.py FILE CLIENT SESSION DATE THERAPIST COL=OPCUT [COL=OPCUT ...]
# Needs Debian package python3-pandas (call /usr/bin/python3).
import sys, json, re
import pandas as pd
f, c, s, dt, th = sys.argv[1:6]
cuts = {k: re.match(r'(<=|>=|<|>)(.*)', v).groups() for k, v in (a.split('=', 1) for a in sys.argv[6:])}
d = pd.read_csv(f, usecols=[c, s, dt, th, *cuts], dtype={c: str, th: str})
spc = d.groupby(c, sort=False).size()
q = spc.quantile([0, .25, .5, .75, 1]).tolist()
dates = pd.to_datetime(d[dt], errors='coerce')
o = d.sort_values([c, s], kind='stable')
out = {'rows': len(d), 'clients': len(spc), 'therapists': int(d[th].nunique()),
       'sessionsPerClient': {'min': q[0], 'q1': q[1], 'median': q[2], 'q3': q[3], 'max': q[4], 'mean': float(spc.mean())},
       'singleSession': int((spc == 1).sum()), 'dateSpan': [str(dates.min().date()), str(dates.max().date())], 'measures': []}
for col, (op, cut) in cuts.items():
    v = d[col]; cut = float(cut)
    first = o.dropna(subset=[col]).groupby(c, sort=False)[col].first()
    beyond = {'<': first < cut, '<=': first <= cut, '>=': first >= cut, '>': first > cut}[op]
    out['measures'].append({'column': col, 'n': int(v.notna().sum()), 'missing': int(v.isna().sum()), 'mean': float(v.mean()),
                            'sd': float(v.std()), 'min': float(v.min()), 'max': float(v.max()),
                            'intakeClients': len(first), 'intakeBeyondCutoff': float(beyond.mean())})
print(json.dumps(out))
