package dev.portcullis.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time used so far by this JVM, and by the whole machine from {@code /proc/stat} (Linux; zero
 * elsewhere). The difference of two samples says how busy this process and everything else were.
 */
record CpuSample(
    long wallNanos, long processCpuNanos, long machineBusyTicks, long machineTotalTicks) {
  private static final com.sun.management.OperatingSystemMXBean OS =
      ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class);

  static CpuSample now() {
    long busy = 0;
    long total = 0;
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
      String[] f = lines.getFirst().trim().split("\\s+", -1);
      // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user)
      for (int i = 1; i < Math.min(f.length, 9); i++) {
        long v = Long.parseLong(f[i]);
        total += v;
        if (i != 4 && i != 5) {
          busy += v;
        }
      }
    } catch (IOException | RuntimeException e) {
      busy = 0;
      total = 0;
    }
    return new CpuSample(System.nanoTime(), OS.getProcessCpuTime(), busy, total);
  }

  /** CPU time this JVM used between {@code earlier} and this sample. */
  long processCpuSince(CpuSample earlier) {
    return processCpuNanos - earlier.processCpuNanos;
  }

  /** Share of the machine's CPU (0..1) used by other processes between the two samples. */
  double otherShareSince(CpuSample earlier) {
    long totalTicks = machineTotalTicks - earlier.machineTotalTicks;
    if (totalTicks <= 0) {
      return Double.NaN;
    }
    double machineBusy = (double) (machineBusyTicks - earlier.machineBusyTicks) / totalTicks;
    int cores = Runtime.getRuntime().availableProcessors();
    double ours =
        (double) processCpuSince(earlier) / ((wallNanos - earlier.wallNanos) * (double) cores);
    return Math.max(0, machineBusy - ours);
  }
}
