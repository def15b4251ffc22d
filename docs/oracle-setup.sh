#!/usr/bin/env bash
# Rebuild the reference Python stack ("oracle") at $T2L_ORACLE (default /work/oracle), following
# ../shared/oracle/README.md. Needs root for apt-get, and the mirrors of the six public repositories
# (in a session: the `fetch` tool with github:<owner>/<name> puts each at /work/.mirror/<owner>+<name>/repo;
# elsewhere a `git clone --bare` of each into the same place does the same). Usage:
#   bash oracle-setup.sh [SHARED]      (SHARED = the project's ../shared, default /work/shared)
set -euo pipefail
O=${T2L_ORACLE:-/work/oracle}
SHARED=${1:-/work/shared}
M=${MIRRORS:-/work/.mirror}
apt-get install -y python3-torch python3-numpy python3-yaml python3-packaging python3-filelock \
    python3-regex python3-requests python3-tqdm python3-psutil python3-pandas python3-fsspec

mkdir -p "$O/src" "$O/site" "$O/site-peft015"
extract() {  # extract <mirror> <commit-or-tag> <dest> [pathspec...]
    local mirror=$1 rev=$2 dest=$3; shift 3
    rm -rf "$O/src/$dest"; mkdir -p "$O/src/$dest"
    git -C "$M/$mirror/repo" archive "$rev" -- "${@:-.}" | tar -x -C "$O/src/$dest"
    [ "${PIPESTATUS[0]}" = 0 ] || { echo "git archive $mirror $rev failed" >&2; exit 1; }
}
extract F4biian+transformers-v4.47.1-and-internal-states f0e640adfa3cedea53912b95e3093f05cc2b66b5 transformers
extract huggingface+peft v0.13.2 peft
extract huggingface+peft v0.15.2 peft-0.15.2
extract huggingface+accelerate v0.34.2 accelerate
extract huggingface+huggingface_hub v0.26.2 huggingface_hub
extract huggingface+safetensors v0.4.5 safetensors bindings/python/py_src
# assets/ is left out: one of its blobs is missing from the snapshot (git 2.39 still prints "error: invalid object
# ... assets/text-to-lora-demo.gif" once and exits 0; the other 597 files are all extracted)
extract SakanaAI+text-to-lora 8ba7749 text-to-lora \
    $(git -C "$M/SakanaAI+text-to-lora/repo" ls-tree --name-only 8ba7749 | grep -v '^assets$')

S=$O/site
ln -sfn "$O/src/transformers/src/transformers" "$S/transformers"
ln -sfn "$O/src/peft/src/peft" "$S/peft"
ln -sfn "$O/src/accelerate/src/accelerate" "$S/accelerate"
ln -sfn "$O/src/huggingface_hub/src/huggingface_hub" "$S/huggingface_hub"
ln -sfn "$O/src/text-to-lora/src/hyper_llm_modulator" "$S/hyper_llm_modulator"
ln -sfn "$O/src/peft-0.15.2/src/peft" "$O/site-peft015/peft"
# safetensors: a real folder (the shared pure-Python _safetensors_rust.py goes beside the front-end files)
mkdir -p "$S/safetensors"
for f in "$O/src/safetensors/bindings/python/py_src/safetensors/"*; do ln -sfn "$f" "$S/safetensors/$(basename "$f")"; done

distinfo() {  # distinfo <dir> <name> <version>
    local d="$1/$2-$3.dist-info"; mkdir -p "$d"
    printf 'Metadata-Version: 2.1\nName: %s\nVersion: %s\n' "$2" "$3" > "$d/METADATA"
    : > "$d/RECORD"
}
distinfo "$S" transformers 4.46.0.dev0
distinfo "$S" peft 0.13.2
distinfo "$S" accelerate 0.34.2
distinfo "$S" huggingface_hub 0.26.2
distinfo "$S" safetensors 0.4.5
distinfo "$O/site-peft015" peft 0.15.2

# our own scripts: site/ (stubs, shims, pure-Python safetensors backend), bench/, interop/, env.sh
cp -r "$SHARED/oracle/site/." "$S/"
cp -r "$SHARED/oracle/bench" "$SHARED/oracle/interop" "$SHARED/oracle/env.sh" "$O/"
# the shared env.sh forces OpenBLAS's SkylakeX (AVX-512) kernels, which die with SIGILL on a CPU without AVX-512
# (an AMD EPYC Zen 3, 2026-12-04): keep the setting only where the CPU has avx512f
sed -i 's/^export OPENBLAS_CORETYPE=SkylakeX /export /' "$O/env.sh"
echo 'grep -qw avx512f /proc/cpuinfo && export OPENBLAS_CORETYPE=SkylakeX || true' >> "$O/env.sh"
echo "oracle ready at $O: export T2L_ORACLE=$O; . \$T2L_ORACLE/env.sh"
