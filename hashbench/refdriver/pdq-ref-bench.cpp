// pdq-ref-bench: the peer driver of `ctis bench hashes --peer`, timing
// Meta's reference C++ PDQ implementation (facebook/ThreatExchange
// pdq/cpp), which it links. The protocol is described in
// hashbench/hashbench.go; each call prints one JSON object on stdout:
//
//   pdq-ref-bench hash --repeat N FILE
//     → {"decode_per_s":…, "hash_per_s":…, "total_per_s":…,
//        "hashes":[{"hash":"<64 hex>", "quality":Q}], "width":W, "height":H}
//   pdq-ref-bench match --stored F --queries F --radius R --method brute|mih
//                       --batch 1|8 [--pairs OUT]
//     → {"build_s":…, "queries_per_s":…, "batches_per_s":…, "matches":…,
//        "method":"…", "simd":true|false}
//
// Only the reference's library calls are timed; the bookkeeping round them
// (collecting match pairs, padding a batch) is this file's own.

#include <pdq/cpp/common/pdqhashtypes.h>
#include <pdq/cpp/hashing/pdqhashing.h>
#include <pdq/cpp/index/flat.h>
#include <pdq/cpp/index/mih.h>
#include <pdq/cpp/io/pdqio.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using facebook::pdq::hashing::Hash256;
using Image = cimg_library::CImg<uint8_t>;
using Clock = std::chrono::steady_clock;

namespace {

// The side over which the reference samples an image down before hashing
// (DOWNSAMPLE_DIMS in the reference's io/pdqio.cpp, not exported).
const int kDownsample = 512;

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "pdq-ref-bench: %s\n", msg.c_str());
  std::exit(1);
}

double seconds(Clock::time_point t0, Clock::time_point t1) {
  return std::chrono::duration<double>(t1 - t0).count();
}

// rate is operations per second; 0 when nothing was timed.
double rate(size_t n, double s) {
  return s > 0 ? double(n) / s : 0;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    die("cannot open " + path);
  }
  return std::string(
      std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// ----------------------------------------------------------------
// Hashing

// decode decodes a photograph to 8-bit RGB (or grey) with CImg, as the
// reference's pdqHash256FromFile does. A JPEG is read by CImg's libjpeg
// path from the bytes in memory (fmemopen), so that file I/O is not timed,
// as it is not on the ctis side; any other format goes through CImg's
// load(filename).
void decode(const std::string& data, const char* filename, Image& img) {
  const bool jpeg = data.size() > 3 &&
      static_cast<unsigned char>(data[0]) == 0xFF &&
      static_cast<unsigned char>(data[1]) == 0xD8 &&
      static_cast<unsigned char>(data[2]) == 0xFF;
  if (!jpeg) {
    img.load(filename);
    return;
  }
  std::FILE* f =
      fmemopen(const_cast<char*>(data.data()), data.size(), "rb");
  if (f == nullptr) {
    die("fmemopen failed");
  }
  img.load_jpeg(f);
  std::fclose(f);
}

// hashDecoded hashes a decoded image the way pdqHash256FromFile does after
// its load: nearest-neighbour resize to 512×512 when a side is larger,
// float luma, then the PDQ hash proper.
Hash256 hashDecoded(Image& img, int& quality) {
  Image resized;
  Image* src = &img;
  if (img.height() > kDownsample || img.width() > kDownsample) {
    resized = img.get_resize(kDownsample, kDownsample);
    src = &resized;
  }
  int numRows, numCols;
  float* fullBuffer1 =
      facebook::pdq::hashing::loadFloatLumaFromCImg(*src, numRows, numCols);
  float* fullBuffer2 = new float[numRows * numCols];
  float buffer64x64[64][64];
  float buffer16x64[16][64];
  float buffer16x16[16][16];
  Hash256 hash;
  facebook::pdq::hashing::pdqHash256FromFloatLuma(
      fullBuffer1,
      fullBuffer2,
      numRows,
      numCols,
      buffer64x64,
      buffer16x64,
      buffer16x16,
      hash,
      quality);
  delete[] fullBuffer1;
  delete[] fullBuffer2;
  return hash;
}

int cmdHash(int repeat, const char* filename) {
  if (repeat < 1) {
    die("--repeat must be at least 1");
  }
  const std::string data = readFile(filename);

  Image img;
  int quality = 0;
  try {
    decode(data, filename, img);
  } catch (const cimg_library::CImgException& e) {
    die(std::string("decoding ") + filename + ": " + e.what());
  }
  if (img.spectrum() != 1 && img.spectrum() != 3) {
    die(std::string(filename) + ": neither grey nor RGB");
  }
  const Hash256 hash = hashDecoded(img, quality);

  // The split path must give the reference's own one-call hash.
  {
    Hash256 ref;
    int q, area;
    float readS, hashS;
    if (!facebook::pdq::hashing::pdqHash256FromFile(
            filename, ref, q, area, readS, hashS)) {
      die(std::string("the reference could not hash ") + filename);
    }
    if (!(ref == hash) || q != quality) {
      die("the timed path hashes " + hash.format() +
          " but pdqHash256FromFile " + ref.format());
    }
  }

  volatile unsigned sink = 0; // keeps the loops' results live

  Image scratch;
  auto t0 = Clock::now();
  for (int i = 0; i < repeat; i++) {
    decode(data, filename, scratch);
    sink += scratch.width();
  }
  const double decodeS = seconds(t0, Clock::now());

  t0 = Clock::now();
  for (int i = 0; i < repeat; i++) {
    int q;
    sink += hashDecoded(img, q).w[0];
  }
  const double hashS = seconds(t0, Clock::now());

  t0 = Clock::now();
  for (int i = 0; i < repeat; i++) {
    int q;
    decode(data, filename, scratch);
    sink += hashDecoded(scratch, q).w[0];
  }
  const double totalS = seconds(t0, Clock::now());

  std::printf(
      "{\"decode_per_s\":%.3f,\"hash_per_s\":%.3f,\"total_per_s\":%.3f,"
      "\"hashes\":[{\"hash\":\"%s\",\"quality\":%d}],"
      "\"width\":%d,\"height\":%d}\n",
      rate(repeat, decodeS),
      rate(repeat, hashS),
      rate(repeat, totalS),
      hash.format().c_str(),
      quality,
      img.width(),
      img.height());
  return 0;
}

// ----------------------------------------------------------------
// Matching

// readHashes reads one 64-hex-digit hash per line with the reference's
// parser (Hash256::fromStringOrDie), whose hex order is ctis's: the first
// digit is the most significant of the 256-bit number, bit k is bit k of
// it (Hash256::getBit, pdq.Hash.Bit).
std::vector<Hash256> readHashes(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    die("cannot open " + path);
  }
  std::vector<Hash256> out;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() &&
           (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.pop_back();
    }
    if (line.empty()) {
      continue;
    }
    out.push_back(Hash256::fromStringOrDie(line));
  }
  return out;
}

struct Found {
  uint32_t query, stored;
};

struct MatchResult {
  double buildS = 0, matchS = 0;
  std::vector<Found> found;
};

// matchFlat scans the stored hashes with the reference's Flat index, eight
// needles at a time (Flat::queryAll). A batch of fewer than eight queries
// (every one with --batch 1, or a short last batch) is padded with the
// complement of its first query, and the padding lanes' matches are
// dropped: Flat costs the same whatever the lanes hold.
MatchResult matchFlat(
    const std::vector<Hash256>& stored,
    const std::vector<Hash256>& queries,
    int radius,
    size_t batch) {
  MatchResult r;
  auto t0 = Clock::now();
  // Flat needs no index: a packed array of the stored hashes.
  std::vector<Hash256> haystack(stored.begin(), stored.end());
  r.buildS = seconds(t0, Clock::now());

  std::vector<std::pair<size_t, size_t>> raw;
  t0 = Clock::now();
  for (size_t i = 0; i < queries.size(); i += batch) {
    const size_t n = std::min(batch, queries.size() - i);
    std::array<Hash256, 8> needles;
    for (size_t k = 0; k < 8; k++) {
      needles[k] = k < n ? queries[i + k] : ~queries[i];
    }
    facebook::pdq::index::Flat flat(needles);
    flat.queryAll(haystack.data(), haystack.size(), radius, raw);
    for (const auto& m : raw) {
      if (m.second < n) {
        r.found.push_back({uint32_t(i + m.second), uint32_t(m.first)});
      }
    }
    raw.clear();
  }
  r.matchS = seconds(t0, Clock::now());
  return r;
}

// matchMIH queries the reference's mutually-indexed hashing (MIH256) with
// each needle; its metadata is the stored hash's line number.
MatchResult matchMIH(
    const std::vector<Hash256>& stored,
    const std::vector<Hash256>& queries,
    int radius,
    size_t batch) {
  if (radius > facebook::pdq::index::MIH_MAX_D) {
    die("MIH256 takes a radius of at most " +
        std::to_string(facebook::pdq::index::MIH_MAX_D));
  }
  MatchResult r;
  facebook::pdq::index::MIH256<uint32_t> mih;
  auto t0 = Clock::now();
  for (size_t j = 0; j < stored.size(); j++) {
    mih.insert(stored[j], uint32_t(j));
  }
  r.buildS = seconds(t0, Clock::now());

  std::vector<std::pair<Hash256, uint32_t>> matches;
  t0 = Clock::now();
  for (size_t i = 0; i < queries.size(); i += batch) {
    const size_t n = std::min(batch, queries.size() - i);
    for (size_t k = 0; k < n; k++) {
      mih.queryAll(queries[i + k], radius, matches);
      for (const auto& m : matches) {
        r.found.push_back({uint32_t(i + k), m.second});
      }
      matches.clear();
    }
  }
  r.matchS = seconds(t0, Clock::now());
  return r;
}

int cmdMatch(
    const std::string& storedPath,
    const std::string& queriesPath,
    int radius,
    const std::string& method,
    int batch,
    const std::string& pairsPath) {
  if (batch != 1 && batch != 8) {
    die("--batch must be 1 or 8");
  }
  if (radius < 0 || radius > 256) {
    die("--radius must be 0 to 256");
  }
  const std::vector<Hash256> stored = readHashes(storedPath);
  const std::vector<Hash256> queries = readHashes(queriesPath);

  MatchResult r;
  if (method == "brute") {
    r = matchFlat(stored, queries, radius, batch);
  } else if (method == "mih") {
    r = matchMIH(stored, queries, radius, batch);
  } else {
    die("--method must be brute or mih, not " + method);
  }

  if (!pairsPath.empty()) {
    std::FILE* f = std::fopen(pairsPath.c_str(), "w");
    if (f == nullptr) {
      die("cannot create " + pairsPath);
    }
    for (const auto& p : r.found) {
      std::fprintf(
          f,
          "%u %u %d\n",
          p.query,
          p.stored,
          queries[p.query].hammingDistance(stored[p.stored]));
    }
    if (std::fclose(f) != 0) {
      die("cannot write " + pairsPath);
    }
  }

  const size_t batches = (queries.size() + batch - 1) / batch;
  std::printf(
      "{\"build_s\":%.6f,\"queries_per_s\":%.3f,\"batches_per_s\":%.3f,"
      "\"matches\":%zu,\"method\":\"%s\",\"simd\":%s,\"stored\":%zu,"
      "\"queries\":%zu}\n",
      r.buildS,
      rate(queries.size(), r.matchS),
      rate(batches, r.matchS),
      r.found.size(),
      method.c_str(),
      facebook::pdq::index::Flat::SIMD_ACCELERATED ? "true" : "false",
      stored.size(),
      queries.size());
  return 0;
}

// ----------------------------------------------------------------

[[noreturn]] void usage() {
  std::fprintf(
      stderr,
      "usage: pdq-ref-bench hash --repeat N FILE\n"
      "       pdq-ref-bench match --stored F --queries F --radius R "
      "--method brute|mih --batch 1|8 [--pairs OUT]\n"
      "       pdq-ref-bench info\n");
  std::exit(2);
}

int toInt(const char* s) {
  char* end;
  const long v = std::strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0') {
    die(std::string("not a number: ") + s);
  }
  return int(v);
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage();
  }
  const std::string cmd = argv[1];
  std::string stored, queries, method, pairs, file;
  int repeat = 1, radius = -1, batch = 0;
  for (int i = 2; i < argc; i++) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        die(a + " needs a value");
      }
      return argv[++i];
    };
    if (a == "--repeat") {
      repeat = toInt(value());
    } else if (a == "--stored") {
      stored = value();
    } else if (a == "--queries") {
      queries = value();
    } else if (a == "--radius") {
      radius = toInt(value());
    } else if (a == "--method") {
      method = value();
    } else if (a == "--batch") {
      batch = toInt(value());
    } else if (a == "--pairs") {
      pairs = value();
    } else if (a.size() > 1 && a[0] == '-') {
      die("unknown flag " + a);
    } else if (file.empty()) {
      file = a;
    } else {
      usage();
    }
  }
  if (cmd == "hash" && !file.empty()) {
    return cmdHash(repeat, file.c_str());
  }
  if (cmd == "match" && file.empty() && !stored.empty() && !queries.empty() &&
      !method.empty()) {
    return cmdMatch(stored, queries, radius, method, batch, pairs);
  }
  if (cmd == "info") {
    std::printf(
        "{\"simd\":%s}\n",
        facebook::pdq::index::Flat::SIMD_ACCELERATED ? "true" : "false");
    return 0;
  }
  usage();
}
