# Figure 1: time vs processes per schedule: the median with its 95% interval over the min-max
# band, suspect points hollow and grey, the ideal T1/P.
# Vars: data (three blocks per schedule, dynamic static cyclic: every point, clean, suspect;
# columns P median lo hi min max), t1, limit_text, cores, schedules (those with data; the
# others get no key entry), nsuspect, bars (1 when some point has an interval).
load ARG1
set title sprintf('Time vs processes, N = %s (%d cores)', limit_text, cores)
set xlabel 'worker processes P'
set ylabel 'time (s)'
set xtics 1
set yrange [0:*]
set key width -4
set arrow from cores, graph 0 to cores, graph 1 nohead ls 9
set label sprintf('%d cores', cores) at first cores, graph 0.04 offset character -0.5, 0 right tc rgb '#666666'
name(i) = word('dynamic static cyclic', i)
key(i) = strstrt(schedules, name(i)) > 0 ? name(i) : ''
sus = entry(nsuspect > 0, suspect_entry)
bar = entry(bars, "keyentry with ".ebar." ls 29 title 'median, 95% interval'")
plot for [i=1:3] data index 3*i-3 using 1:5:6 with filledcurves ls i notitle, \
     for [i=1:3] data index 3*i-3 using 1:2 with lines ls i notitle, \
     for [i=1:3] data index 3*i-2 using 1:3:(0):($4-$3) with @ebar ls (20+i) notitle, \
     for [i=1:3] data index 3*i-1 using 1:3:(0):($4-$3) with @ebar ls 29 notitle, \
     for [i=1:3] data index 3*i-2 using 1:2 with points ls i notitle, \
     for [i=1:3] data index 3*i-1 using 1:2 with points ls (10+i) notitle, \
     for [i=1:3] keyentry with linespoints ls i title key(i), \
     [1:*] t1/(x < cores ? x : cores) with lines ls 9 title 'ideal T_1/P (up to the cores)', \
     @bar, @sus
