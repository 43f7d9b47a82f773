# Sourced by the bench scripts (from the repository's root): the release
# CLI built (`$bin`), where generated inputs live (`$data`), and
# `generated NAME RECORDS SEED`, which prints the path of
# `eindkomst generate --records RECORDS --seed SEED`, made once.
export PATH="$HOME/.cargo/bin:$PATH"
cargo build -q --release -p eindkomst-cli
bin=target/release/eindkomst
data=target/bench-data
mkdir -p "$data"
generated() {
  local file="$data/$1.txt"
  [ -s "$file" ] || "$bin" generate --records "$2" --seed "$3" -o "$file" >&2
  echo "$file"
}
