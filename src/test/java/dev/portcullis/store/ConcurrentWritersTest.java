package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.GatewayFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log and the invocation store write to one SQLite file from many calls at once. A writer
 * that read first and then wrote could find the file locked and fail at once (SQLite does not wait
 * when a read transaction must be upgraded after another writer committed): the gateway then failed
 * closed with audit-unavailable under load. Every writer now takes the write lock when its
 * transaction begins, and waits for it.
 */
class ConcurrentWritersTest {
  @TempDir Path dir;

  @Test
  void concurrentCallsAllCompleteWithoutAStoreFailingClosed() throws Exception {
    try (GatewayFixture gateway = GatewayFixture.start(dir.resolve("data"));
        ExecutorService clients = Executors.newFixedThreadPool(16)) {
      List<Future<List<Integer>>> results = new ArrayList<>();
      for (int c = 0; c < 16; c++) {
        results.add(
            clients.submit(
                () -> {
                  List<Integer> statuses = new ArrayList<>();
                  for (int i = 0; i < 15; i++) {
                    HttpResponse<String> r =
                        gateway.invoke(
                            "crm_get_customer",
                            GatewayFixture.SUPPORT_KEY,
                            "{\"arguments\":{\"customerId\":\"C-1001\"}}");
                    statuses.add(r.statusCode());
                  }
                  return statuses;
                }));
      }
      List<Integer> all = new ArrayList<>();
      for (Future<List<Integer>> f : results) {
        all.addAll(f.get());
      }

      assertThat(all).hasSize(240).containsOnly(200);
      assertThat(gateway.acme().requestLog()).hasSize(240);
    }
  }
}
