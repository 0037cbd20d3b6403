#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image (with internet access): everything a
# grading needs is installed here, so that each submission's run starts at once and offline.
set -euo pipefail
cd /autograder/source

# The pinned packages need Python 3.11 or newer; Ubuntu 22.04 images ship 3.10 but package 3.11.
python=python3
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  python=python3.11
fi
missing=()
command -v "$python" >/dev/null || missing+=("$python")
"$python" -c 'import ensurepip' 2>/dev/null || missing+=("$python-venv")  # Ubuntu splits venv support off
command -v make >/dev/null || missing+=(make)
if ((${#missing[@]})); then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

# The environment and verified MNIST, then the shipped examples graded once (`make gradescope` writes the
# assignment id in place of @ASSIGNMENT@): an image that cannot grade fails
# here, at build time, rather than on a student's submission, and the probe inputs every grading reads are cached.
make PYTHON="$python" ASSIGNMENT=@ASSIGNMENT@ install data grade

# Gradescope's containers may not allow the namespaces the jail uses; the student's process then runs only under a
# user id of its own and reads whatever others may read. So nothing here is open to others but what that process
# needs: the Python environment and MNIST (tests/test_gradescope.py replays these lines as such a user id).
# The example grading's reports hold copies of the solution and the reference weights: not kept in the image.
rm -rf out
chmod -R go-rwx .  # deny by default: the engine, hidden checks, reference weights, solution, probe cache (.cache)
chmod go=x .  # others may pass through to the environment and the data, not list the folder
chmod -R go+rX .venv data
