// Helpers of the job tests: waiting for a job's state and reading a Server-Sent Events body.
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "serve_fixture.h"

namespace strata::testing {

// Polls a job until its state is no longer one of `states` (or 120 s pass).
inline nlohmann::json WaitWhile(httplib::Client& client, const std::string& id,
                                const std::set<std::string>& states) {
  nlohmann::json job;
  for (int i = 0; i < 12000; ++i) {
    job = JsonOf(client.Get(("/v1/jobs/" + id).c_str()));
    if (!states.count(job.value("state", ""))) return job;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ADD_FAILURE() << "job " << id << " stayed " << job.dump();
  return job;
}

// One Server-Sent Event: its "event:", "id:" and "data:" fields.
struct SseEvent {
  std::string event, id;
  nlohmann::json data;
};

// The events of a text/event-stream body, in order (comments skipped).
inline std::vector<SseEvent> ParseSse(const std::string& body) {
  std::vector<SseEvent> events;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find("\n\n", start);
    if (end == std::string::npos) end = body.size();
    SseEvent e;
    bool any = false;
    size_t line_start = start;
    while (line_start < end) {
      size_t line_end = std::min(body.find('\n', line_start), end);
      std::string line = body.substr(line_start, line_end - line_start);
      line_start = line_end + 1;
      if (line.rfind("event: ", 0) == 0) e.event = line.substr(7), any = true;
      if (line.rfind("id: ", 0) == 0) e.id = line.substr(4);
      if (line.rfind("data: ", 0) == 0) e.data = nlohmann::json::parse(line.substr(6), nullptr, false);
    }
    if (any) events.push_back(std::move(e));
    start = end + 2;
  }
  return events;
}

}  // namespace strata::testing
