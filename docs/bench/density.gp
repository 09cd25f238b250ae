set terminal pngcairo size 1000,600
set output 'docs/bench/density.png'
set title 'memvisor bench density --vms 8 --memory 256M --mix 50,20,30' noenhanced
set xlabel 'seconds since the hogs were filled'
set ylabel 'host memory used (MiB: PSS + memfd blocks)'
set key outside bottom center horizontal
set grid
plot 'docs/bench/density.dat' index 0 using 1:2 with lines lw 2 title 'memvisor (ksmd pts=5000)', 'docs/bench/density.dat' index 1 using 1:2 with lines lw 2 title 'qemu+linux-ksm pts=100 (default)', 'docs/bench/density.dat' index 2 using 1:2 with lines lw 2 title 'qemu+linux-ksm pts=2443 (cpu-matched)', 'docs/bench/density.dat' index 3 using 1:2 with lines lw 2 title 'no-dedup'
