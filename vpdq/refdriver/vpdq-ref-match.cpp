// vpdq-ref-match: matches query videos against many stored videos with the
// reference vPDQ's own pairwise matcher (facebook/ThreatExchange,
// vpdq/cpp, matchTwoHashBrute), for ctis's side-by-side benchmark
// (vpdq.BenchmarkVPDQMatch with CTIS_VPDQ_REF_MATCH). The reference has no
// C++ index of videos (its index is Python with FAISS), so this is the best
// its C++ offers: every stored video compared with each query.
//
//   vpdq-ref-match --stored F --queries F --distance D --quality Q
//                  --query-pct P --target-pct T
//
// F holds lines "VIDEO,frame,quality,hash,timestamp" (VIDEO numbers the
// video from 0). Prints one JSON object:
//   {"load_s":…, "queries_per_s":…, "matches":…, "pairs":[[query,video],…]}
#include <vpdq/cpp/hashing/matchTwoHash.h>
#include <vpdq/cpp/hashing/vpdqHashType.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using facebook::vpdq::hashing::vpdqFeature;

static std::vector<std::vector<vpdqFeature>> load(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot open %s\n", path.c_str());
    std::exit(2);
  }
  std::vector<std::vector<vpdqFeature>> videos;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) {
      f.push_back(cell);
    }
    if (f.size() != 5) {
      std::fprintf(stderr, "bad line in %s: %s\n", path.c_str(), line.c_str());
      std::exit(2);
    }
    size_t v = std::stoul(f[0]);
    if (v >= videos.size()) {
      videos.resize(v + 1);
    }
    videos[v].push_back({facebook::pdq::hashing::Hash256::fromStringOrDie(f[3]), std::stoi(f[1]), std::stoi(f[2]), std::stod(f[4])});
  }
  return videos;
}

int main(int argc, char** argv) {
  std::string stored, queries;
  int distance = 31, quality = 50;
  double queryPct = 80, targetPct = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--stored") stored = v;
    else if (a == "--queries") queries = v;
    else if (a == "--distance") distance = std::stoi(v);
    else if (a == "--quality") quality = std::stoi(v);
    else if (a == "--query-pct") queryPct = std::stod(v);
    else if (a == "--target-pct") targetPct = std::stod(v);
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  auto t0 = std::chrono::steady_clock::now();
  auto s = load(stored);
  auto q = load(queries);
  double loadS = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<std::pair<size_t, size_t>> pairs;
  t0 = std::chrono::steady_clock::now();
  for (size_t qi = 0; qi < q.size(); qi++) {
    for (size_t vi = 0; vi < s.size(); vi++) {
      double qm = 0, tm = 0;
      facebook::vpdq::hashing::matchTwoHashBrute(q[qi], s[vi], distance, quality, qm, tm, false);
      if (qm >= queryPct && tm >= targetPct && qm > 0) {
        pairs.push_back({qi, vi});
      }
    }
  }
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("{\"load_s\":%.3f,\"queries_per_s\":%.6f,\"matches\":%zu,\"pairs\":[", loadS, q.size() / took, pairs.size());
  for (size_t i = 0; i < pairs.size(); i++) {
    std::printf("%s[%zu,%zu]", i ? "," : "", pairs[i].first, pairs[i].second);
  }
  std::printf("]}\n");
  return 0;
}
