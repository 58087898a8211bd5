#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "server/thread_pool.h"

using sealstack::server::ElasticThreadPool;
using namespace std::chrono_literals;

TEST_CASE("ElasticThreadPool runs blocking tasks side by side, up to its maximum", "[pool]") {
  ElasticThreadPool pool(2, 100, 30s);
  CHECK(pool.thread_count() == 2);
  std::mutex mu;
  std::condition_variable cv;
  int running = 0;
  bool release = false;
  // 80 tasks that each block until all 80 run at once: a fixed pool of 2 would deadlock here
  // (as a fixed pool of 64 stalls the 65th keep-alive connection).
  for (int i = 0; i < 80; ++i) {
    pool.enqueue([&] {
      std::unique_lock<std::mutex> lock(mu);
      ++running;
      cv.notify_all();
      cv.wait(lock, [&] { return release; });
    });
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    REQUIRE(cv.wait_for(lock, 10s, [&] { return running == 80; }));
    release = true;
    cv.notify_all();
  }
  CHECK(pool.thread_count() >= 80);
  pool.shutdown();
  CHECK(pool.thread_count() == 0);
}

TEST_CASE("ElasticThreadPool queues past its maximum and shrinks back when idle", "[pool]") {
  ElasticThreadPool pool(1, 3, 50ms);
  std::atomic<int> done{0};
  for (int i = 0; i < 30; ++i) {
    pool.enqueue([&] {
      std::this_thread::sleep_for(1ms);
      ++done;
    });
  }
  CHECK(pool.thread_count() <= 3);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while ((done < 30 || pool.thread_count() > 1) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  CHECK(done == 30);
  CHECK(pool.thread_count() == 1);  // back to the minimum
  pool.enqueue([] {});              // joins the exited workers
  pool.shutdown();
}
