// ArgumentCursor: walks argv the way both of SealStack's command lines read it (the server's
// flags in config.cpp and `sealstack posture`): "--name=value" and "--name value" alike.
#pragma once

#include <optional>
#include <string>

namespace sealstack::server {

class ArgumentCursor {
 public:
  // Starts before argv[1] (argv[0] is the program or subcommand name).
  ArgumentCursor(int argc, const char* const* argv) : argc_(argc), argv_(argv) {}

  // Moves to the next argument; false when there is none. "--name=value" is split there.
  bool Next() {
    if (++index_ >= argc_) return false;
    arg_ = argv_[index_];
    inline_value_.reset();
    if (auto eq = arg_.find('='); eq != std::string::npos && arg_.rfind("--", 0) == 0) {
      inline_value_ = arg_.substr(eq + 1);
      arg_.resize(eq);
    }
    return true;
  }

  // The current argument without its "=value".
  const std::string& arg() const { return arg_; }
  // The "=value" written in the argument itself, if any.
  const std::optional<std::string>& inline_value() const { return inline_value_; }

  // The option's value: its "=value", else the following argument (consumed); nullopt when the
  // command line ends first.
  std::optional<std::string> Value() {
    if (inline_value_) return inline_value_;
    if (index_ + 1 >= argc_) return std::nullopt;
    return std::string(argv_[++index_]);
  }

 private:
  const int argc_;
  const char* const* const argv_;
  int index_ = 0;
  std::string arg_;
  std::optional<std::string> inline_value_;
};

}  // namespace sealstack::server
