# Figure 3: time vs chunk size (log x) per schedule. Vars: data (blocks dynamic, cyclic:
# chunk median min max), procs, limit_text.
load ARG1
set title sprintf('Time vs chunk size, N = %s, P = %d', limit_text, procs)
set xlabel 'chunk (numbers per unit of work)'
set ylabel 'time (s)'
set logscale x
set format x '10^{%L}'
set yrange [0:*]
plot data index 0 using 1:3:4 with filledcurves ls 1 notitle, \
     ''   index 0 using 1:2 with linespoints ls 1 title 'dynamic', \
     ''   index 1 using 1:3:4 with filledcurves ls 2 notitle, \
     ''   index 1 using 1:2 with linespoints ls 2 title 'cyclic'
