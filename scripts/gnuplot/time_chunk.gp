# Figure 3: time vs chunk size (log x) per schedule: the median with its 95% interval over the
# min-max band, suspect points hollow and grey. Vars: data (three blocks per schedule, dynamic
# cyclic: every point, clean, suspect; columns chunk median lo hi min max), procs, limit_text,
# nsuspect, bars.
load ARG1
set title sprintf('Time vs chunk size, N = %s, P = %d', limit_text, procs)
set xlabel 'chunk (numbers per unit of work)'
set ylabel 'time (s)'
set logscale x
set format x '10^{%L}'
set yrange [0:*]
# The times sit high on a scale from 0: the key goes under them.
set key bottom right width -4
sus = entry(nsuspect > 0, suspect_entry)
bar = entry(bars, "keyentry with ".ebar." ls 29 title 'median, 95% interval'")
plot for [i=1:2] data index 3*i-3 using 1:5:6 with filledcurves ls i notitle, \
     for [i=1:2] data index 3*i-3 using 1:2 with lines ls i notitle, \
     for [i=1:2] data index 3*i-2 using 1:3:(0):($4-$3) with @ebar ls (20+i) notitle, \
     for [i=1:2] data index 3*i-1 using 1:3:(0):($4-$3) with @ebar ls 29 notitle, \
     for [i=1:2] data index 3*i-2 using 1:2 with points ls i notitle, \
     for [i=1:2] data index 3*i-1 using 1:2 with points ls (10+i) notitle, \
     for [i=1:2] keyentry with linespoints ls i title word('dynamic cyclic', i), \
     @bar, @sus
