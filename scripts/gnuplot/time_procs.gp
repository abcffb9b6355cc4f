# Figure 1: time vs processes per schedule, median with the min-max band, ideal T1/P.
# Vars: data (blocks dynamic, static, cyclic: P median min max), t1, limit_text, cores,
# schedules (those with data; the others get no key entry).
load ARG1
set title sprintf('Time vs processes, N = %s (%d cores)', limit_text, cores)
set xlabel 'worker processes P'
set ylabel 'time (s)'
set xtics 1
set yrange [0:*]
set arrow from cores, graph 0 to cores, graph 1 nohead ls 9
set label sprintf('%d cores', cores) at first cores, graph 0.96 offset character 0.5, 0 left tc rgb '#666666'
key(s) = strstrt(schedules, s) > 0 ? s : ''
plot data index 0 using 1:3:4 with filledcurves ls 1 notitle, \
     ''   index 0 using 1:2 with linespoints ls 1 title key('dynamic'), \
     ''   index 1 using 1:3:4 with filledcurves ls 2 notitle, \
     ''   index 1 using 1:2 with linespoints ls 2 title key('static'), \
     ''   index 2 using 1:3:4 with filledcurves ls 3 notitle, \
     ''   index 2 using 1:2 with linespoints ls 3 title key('cyclic'), \
     [1:*] t1/(x < cores ? x : cores) with lines ls 9 title 'ideal T_1/P (up to the cores)'
