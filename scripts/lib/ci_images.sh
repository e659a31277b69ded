# Builds, with buildah and no registry, the images the pipeline's jobs run in, under the names
# .gitlab-ci.yml and ci/Dockerfile use, so the Dockerfile builds unchanged:
#   docker.io/library/swift:6.3-bookworm   stand-in for the official Swift image: a Debian
#       bookworm root filesystem (debootstrap, from Debian's mirror), the packages the official
#       image installs (swiftlang/swift-docker 6.x/debian/12/Dockerfile), and this machine's
#       Swift toolchain (the same version) where the official image unpacks it (/usr)
#   docker.io/hashicorp/terraform:1.11     stand-in for HashiCorp's image: the bookworm root
#       filesystem with this machine's terraform at /bin/terraform, entrypoint terraform
#   docker.io/library/debian:bookworm-slim stand-in for Debian's slim image: that root filesystem
#       (minbase: what slim holds), for ci/runtime.Dockerfile, which 70-pipeline.sh builds later
#   localhost/streamcheck-ci:proof         ci/Dockerfile built on them
# buildah runs with --storage-driver vfs --isolation chroot (what works here); vfs keeps a full
# copy per layer, so the storage lives under one folder the caller removes.
#
#   source scripts/lib/ci_images.sh; ci_images_build DIR LOG   → sets CI_IMAGES_BUILDAH

ci_images_build() {
  local dir=$1 log=$2 rootfs ctr mnt
  CI_IMAGES_BUILDAH="buildah --storage-driver vfs --root $dir/storage --runroot $dir/run"
  local B=$CI_IMAGES_BUILDAH
  mkdir -p "$dir"
  rootfs=$dir/rootfs
  if [ ! -x "$rootfs/bin/bash" ]; then
    rm -rf "$rootfs"
    debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" http://deb.debian.org/debian >>"$log" 2>&1 \
      || { echo "ci_images: debootstrap of bookworm failed (see $log)" >&2; return 1; }
    # This machine reaches PyPI through a TLS proxy whose CA it trusts (and pip is told to use
    # the system's bundle): the stand-in images trust what the machine they stand in on trusts,
    # as a runner's images behind such a proxy would. A real runner without one needs neither.
    if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
      cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
      chroot "$rootfs" update-ca-certificates >>"$log" 2>&1
      printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"$rootfs/etc/pip.conf"
    fi
    # Likewise Swift packages: this machine serves github.com's from a local mirror (git's
    # insteadOf, in /etc/gitconfig); the jobs get the same rules, and the runner mounts it.
    git config --system --get-regexp '^url\..*\.insteadof$' 2>/dev/null | while read -r key value; do
      git config --file "$rootfs/etc/gitconfig" --add "$key" "$value"
    done
  fi

  # debian:bookworm-slim (ci/runtime.Dockerfile's base): the root filesystem as it is.
  ctr=$($B from scratch) && mnt=$($B mount "$ctr") || return 1
  cp -a "$rootfs"/. "$mnt"/ || return 1
  $B umount "$ctr" >/dev/null
  $B commit -q --rm "$ctr" docker.io/library/debian:bookworm-slim >>"$log" 2>&1 || return 1

  # hashicorp/terraform: the root filesystem plus terraform.
  ctr=$($B from scratch) && mnt=$($B mount "$ctr") || return 1
  cp -a "$rootfs"/. "$mnt"/ && install -m 0755 "$(command -v terraform)" "$mnt/bin/terraform" || return 1
  $B umount "$ctr" >/dev/null
  $B config --entrypoint '["/bin/terraform"]' --cmd '["--help"]' "$ctr" >/dev/null
  $B commit -q --rm "$ctr" docker.io/hashicorp/terraform:1.11 >>"$log" 2>&1 || return 1

  # swift:6.3-bookworm: the official image's packages, then the toolchain into /usr.
  ctr=$($B from scratch) && mnt=$($B mount "$ctr") || return 1
  cp -a "$rootfs"/. "$mnt"/ || return 1
  chroot "$mnt" /bin/sh -c 'export DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true
    apt-get -q update && apt-get -q install -y binutils libicu-dev libcurl4-openssl-dev libedit-dev libsqlite3-dev \
      libncurses-dev libpython3-dev libxml2-dev pkg-config uuid-dev tzdata git gcc libstdc++-12-dev \
    && rm -rf /var/lib/apt/lists/*' >>"$log" 2>&1 || { echo "ci_images: the Swift image's packages did not install (see $log)" >&2; return 1; }
  local toolchain
  toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")
  cp -a "$toolchain"/. "$mnt/usr"/ || return 1
  $B umount "$ctr" >/dev/null
  $B commit -q --rm "$ctr" docker.io/library/swift:6.3-bookworm >>"$log" 2>&1 || return 1

  # The CI image, from the repository's Dockerfile, unchanged.
  $B bud -q --isolation chroot --pull-never -f ci/Dockerfile -t localhost/streamcheck-ci:proof . >>"$log" 2>&1 \
    || { echo "ci_images: ci/Dockerfile did not build (see $log)" >&2; return 1; }
}

# ci_images_remove DIR: every container and image, then the storage itself.
ci_images_remove() {
  local dir=$1
  [ -d "$dir/storage" ] || return 0
  local B="buildah --storage-driver vfs --root $dir/storage --runroot $dir/run"
  $B rm --all >/dev/null 2>&1
  $B rmi --all --force >/dev/null 2>&1
  rm -rf "$dir/storage" "$dir/run"
}
