#!/usr/bin/env bash
# nianbao deploy [SITE_DIR]: publish a built site atomically (run by `nianbao deploy`, which CI calls).
#
# NIANBAO_DEPLOY_TARGET   where to publish: a local folder (/var/www/nianbao) or user@host:/path over SSH
# NIANBAO_SSH_KEY         private key for SSH (the key itself, e.g. from a CI secret variable)
# NIANBAO_SSH_KNOWN_HOSTS the server's host key line(s) (ssh-keyscan output); required with SSH
# NIANBAO_KEEP_RELEASES   how many releases to keep on the server, the live one included (default: 3)
#
# The site is copied into a new release folder beside the target (<target>.releases/<time>-<pid>/),
# then the target becomes a symlink to it in one rename: visitors see the whole old site or the
# whole new one, search index included, never a mix. A copy that fails part-way (a full disk, a
# lost connection) removes its release folder and leaves the old site serving, untouched.
set -euo pipefail

site_dir=${1:-site}
keep=${NIANBAO_KEEP_RELEASES:-3}
step() { printf '\n==> %s\n' "$*"; }

[ -d "$site_dir" ] || { echo "没有找到要发布的网站目录 $site_dir：请先运行 nianbao build" >&2; exit 1; }
target=${NIANBAO_DEPLOY_TARGET:-}
if [ -z "$target" ]; then
  echo "未设置 NIANBAO_DEPLOY_TARGET：网站在 $site_dir/，未发布。"
  exit 0
fi
for must in index.html pagefind/pagefind-entry.json; do
  [ -e "$site_dir/$must" ] || { echo "网站不完整（缺少 $must），未发布" >&2; exit 1; }
done
case "$keep" in ''|*[!0-9]*|0|1) echo "NIANBAO_KEEP_RELEASES 应为不小于 2 的整数" >&2; exit 1 ;; esac

command -v rsync >/dev/null 2>&1 || { echo "需要 rsync：apt-get install -y rsync" >&2; exit 1; }

# What runs where the site is served (this machine, or the server over SSH): POSIX sh only.
#   prepare <target>           print the live release's folder (empty when there is none yet)
#   swap <target> <release>    make <target> a symlink to <release> in one rename, then prune old releases
#   discard <target> <release> remove a release folder that was never made live
# Only folders named like releases (20250107T080000Z-1234, previous-…) are ever deleted.
remote_script='
set -eu
action=$1 target=${2%/} release=${3:-}
releases="$target.releases"
case "$action" in
  prepare)
    mkdir -p "$releases"
    # the live site, as an absolute path: rsync reads --link-dest relative to the release folder
    if [ -d "$target" ]; then (cd "$target" && pwd -P); fi
    exit 0 ;;
  swap)
    [ -e "$releases/$release/index.html" ] || { echo "发布目录 $releases/$release 不完整" >&2; exit 1; }
    link="$target.link-$$"
    ln -s "$(basename "$releases")/$release" "$link"
    if [ -d "$target" ] && [ ! -L "$target" ]; then
      # The first deploy of this kind: the target is still a real folder. Exchange it with the link
      # in one renameat2(RENAME_EXCHANGE) call where Python is there; else two renames, microseconds apart.
      if command -v python3 >/dev/null 2>&1 && python3 -c "
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
sys.exit(libc.renameat2(-100, os.fsencode(sys.argv[1]), -100, os.fsencode(sys.argv[2]), 2) != 0)
" "$link" "$target"; then
        mv "$link" "$releases/previous-$release"
      else
        mv "$target" "$releases/previous-$release"
        mv "$link" "$target"
      fi
    else
      mv -fT "$link" "$target"  # rename(2) over the old symlink: atomic
    fi
    live=$(basename "$(readlink "$target")")
    # the newest first (release names start with their UTC time); the live one and KEEP - 1 others stay
    # (previous-<release> is the folder that was live before <release>: older than it)
    ls -1 "$releases" | grep -E "^([0-9]{8}T[0-9]{6}Z-[0-9]+|previous-.+)$" | grep -vxF "$live" \
      | while IFS= read -r n; do case "$n" in previous-*) echo "${n#previous-} 0 $n" ;; *) echo "$n 1 $n" ;; esac; done \
      | sort -r | tail -n +"$KEEP" | cut -d" " -f3 | while IFS= read -r old; do rm -rf "${releases:?}/$old"; done
    exit 0 ;;
  discard)
    case "$release" in ""|*/*|.|..) exit 1 ;; esac
    rm -rf "${releases:?}/$release"
    exit 0 ;;
esac
exit 2
'

release="$(date -u +%Y%m%dT%H%M%SZ)-$$"
rsync_args=(-a --delete --checksum)
case "$target" in
  *:*)
    : "${NIANBAO_SSH_KEY:?通过 SSH 发布需要 CI 变量 NIANBAO_SSH_KEY（私钥）}"
    : "${NIANBAO_SSH_KNOWN_HOSTS:?通过 SSH 发布需要 CI 变量 NIANBAO_SSH_KNOWN_HOSTS（服务器公钥，ssh-keyscan 的输出）}"
    ssh_dir=$(mktemp -d)
    printf '%s\n' "$NIANBAO_SSH_KEY" > "$ssh_dir/key"
    printf '%s\n' "$NIANBAO_SSH_KNOWN_HOSTS" > "$ssh_dir/known_hosts"
    chmod 600 "$ssh_dir/key" "$ssh_dir/known_hosts"
    ssh_opts=(-i "$ssh_dir/key" -o "UserKnownHostsFile=$ssh_dir/known_hosts" -o StrictHostKeyChecking=yes -o BatchMode=yes)
    rsync_args+=(-e "ssh ${ssh_opts[*]}")
    host=${target%%:*}
    path=${target#*:}
    on_server() { ssh "${ssh_opts[@]}" "$host" "KEEP=$keep sh -s -- $(printf '%q ' "$@")" <<<"$remote_script"; }
    dest="$host:${path%/}.releases/$release/"
    ;;
  *)
    path=$target
    on_server() { KEEP=$keep sh -c "$remote_script" publish "$@"; }
    dest="${path%/}.releases/$release/"
    ;;
esac

ssh_dir=${ssh_dir:-}
swapped=no
cleanup() {
  # A deploy that stops before the swap (a failure, Ctrl-C, a CI timeout) leaves no copy behind.
  if [ "$swapped" = no ]; then on_server discard "$path" "$release" >/dev/null 2>&1 || true; fi
  if [ -n "$ssh_dir" ]; then rm -rf "$ssh_dir"; fi
}
trap cleanup EXIT

step "发布到 $target"
live=$(on_server prepare "$path")
if [ -n "$live" ]; then
  rsync_args+=("--link-dest=$live/")  # unchanged files are linked from the live release, not sent again
fi
status=0
rsync "${rsync_args[@]}" "$site_dir/" "$dest" || status=$?
if [ "$status" -ne 0 ]; then
  echo "发布失败（rsync 退出码 $status：磁盘已满或连接中断？）；已删除未完成的副本，线上网站未改动：$target" >&2
  exit 1
fi
if ! on_server swap "$path" "$release"; then
  echo "发布失败：未能切换到新版本；线上网站未改动：$target" >&2
  exit 1
fi
swapped=yes
echo "已发布：$target（版本 $release；保留最近 $keep 个版本，回退时把 $target 指回 ${path%/}.releases/ 中的上一个版本）"
