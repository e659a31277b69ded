#!/usr/bin/env bash
# The CI image's tag: a hash of everything that goes into it (ci/ and scripts/setup.sh), so a
# change to any of them builds a new image and an unchanged one is reused. .gitlab-ci.yml
# carries it as CI_IMAGE_TAG (GitLab cannot hash files when it reads the YAML);
# scripts/test.d/70-pipeline.sh fails when the two differ.
#   scripts/ci-image-tag.sh           prints the tag
#   scripts/ci-image-tag.sh --write   also writes it into .gitlab-ci.yml
set -euo pipefail
cd "$(dirname "$0")/.."
tag=$(cat ci/Dockerfile ci/apt-packages.txt ci/requirements.txt scripts/setup.sh | sha256sum | cut -c1-12)
if [ "${1:-}" = --write ]; then
  sed -i -E "s/^(  CI_IMAGE_TAG: )\"[0-9a-f]*\"/\1\"$tag\"/" .gitlab-ci.yml
fi
echo "$tag"
