#!/usr/bin/env bash
# Installs the Debian packages that Ferry's integration tests run for real:
# HAProxy (several ferryd behind a load balancer, PROXY protocol), socat (the
# bench's C baseline, whose receiver a test checks), OpenSSH's server and
# client and vsftpd (the SFTP and FTP/FTPS kinds are tested against private
# instances), and the peers the bench measures in the same run (curl, lftp,
# rsync). ProFTPD (a server that hashes files itself, with mod_digest) cannot
# be installed beside vsftpd: both packages are "ftp-server", each conflicting
# with the other. Its package is unpacked into a private folder instead
# (PROFTPD_DIR, default /opt/ferry-test/proftpd; test/helpers/proftpd.ts looks
# there) and only its libraries are installed. Run as root (or through sudo)
# on Debian or Ubuntu; does nothing when all are present.
set -euo pipefail
packages=(haproxy socat openssh-server openssh-client vsftpd curl lftp rsync)
proftpd_dir="${PROFTPD_DIR:-/opt/ferry-test/proftpd}"
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
install() {
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
need_proftpd=false
[ -x "$proftpd_dir/usr/sbin/proftpd" ] || need_proftpd=true
[ ${#missing[@]} -eq 0 ] && ! $need_proftpd && exit 0

"${as_root[@]}" apt-get update
[ ${#missing[@]} -eq 0 ] || install "${missing[@]}"
if $need_proftpd; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get download proftpd-core)
  deb=("$work"/proftpd-core_*.deb)
  # Its libraries, without the package's own scripts (adduser, ucf and the rest serve the system service).
  mapfile -t libraries < <(dpkg-deb -f "${deb[0]}" Depends | tr ',' '\n' | sed -e 's/(.*)//' -e 's/|.*//' -e 's/[[:space:]]//g' | grep '^lib')
  install "${libraries[@]}"
  "${as_root[@]}" mkdir -p "$proftpd_dir"
  "${as_root[@]}" dpkg-deb -x "${deb[0]}" "$proftpd_dir"
fi
