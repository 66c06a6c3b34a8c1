"""Redirect rules: the plan, each server's syntax, a real nginx serving them, and Hugo/Jekyll aliases."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest

from tests.helpers import cli, corpus_index, free_port, stop
from tests.wxrbuild import export as export_text
from tests.wxrbuild import item
from wxr2db.links.redirects import (
    NGINX_INCLUDES,
    Redirect,
    RedirectPlan,
    aliases,
    bucket_size,
    dropped_warnings,
    plan_redirects,
    render_apache,
    render_netlify,
    render_nginx,
    render_redirects,
)
from wxr2db.records import Post, Site, Term

LONG = "/2024/05/17/" + "a-very-long-permalink-that-a-blogger-wrote-as-a-sentence-" * 4 + "end/"
ODD = [
    ("/2010/05/hello-world/", "/posts/hello-world/"),
    ("/?p=12", "/posts/hello-world/"),
    ("/about/", "/about/"),  # its own address: dropped
    ("/About", "/about/"),  # the same, by case and slash: dropped
    ("/posts/hello-world/", "/elsewhere/"),  # a page of the new site: dropped
    ("/2010/05/hello-world", "/posts/hello-world/"),  # a duplicate
    ("/2010/05/hello-world/", "/other/"),  # a conflict: the first one stays
    ("/a b/\"q\"/$x;y/", "/new/ünï code/$1;x/"),
    ("/greek/%ce%b5%cf%80%ce%af/", "/el/επί/"),
    ("/caf%C3%A9", "/café/"),  # the same address, spelled otherwise: dropped
    ("/?cat=3&paged=2", "/category/news/"),
    ("/bad/%ff/", "/x/"),  # no UTF-8
    ("/bad/\x00/", "/x/"),
    ("/./up/../", "/x/"),
    (LONG, "/posts/long/"),
]


# Old addresses no server syntax may choke on, each kept (and served) or dropped and counted.
HOSTILE_KEPT = [
    ("/quote/\"double\"/'single'/", "/new/1/"),
    ("/braces/{x}/[y]/", "/new/2/"),
    ("/semi;colon/a;b/", "/new/3/"),
    ("/space here/  two/", "/new/4/"),
    ("/hash/%23tag/", "/new/5/"),
    ("/regex/%5Ea.b*c+d%3Fe(f)|g$/", "/new/6/"),
    ("/back\\slash/", "/new/7/"),
    ("/percent/100%25/", "/new/8/"),
    ("/emoji/\U0001f600/", "/new/9/"),
    ("/separators/%E2%80%A8%C2%85/", "/new/10/"),
    ("/angle/<script>/`tick`/", "/new/11/"),
    ("/vars/$1/%{HTTP_HOST}/${x}/", "/new/12/"),
    ("/?s=caf\u00e9 \"x\"", "/new/13/"),
    ("/?q={a}|b;c", "/new/14/"),
    # 3,500 bytes in short segments (Apache answers 403 before reading .htaccess for a segment over
    # the file system's 255 bytes; WordPress slugs are at most 200).
    ("/" + "long-segment/" * 270, "/new/long/"),
]
HOSTILE_DROPPED = [
    ("/" + "x" * 4100 + "/", "/new/x/"),  # over nginx's 4096-byte token
    ("/" + "\u00e9" * 1500 + "/", "/new/e/"),  # 3,000 bytes, but 12,000 as Apache's \xHH escapes
    ("/target-too-long/", "/new/" + "y" * 5000 + "/"),
    ("/?s=" + "q" * 5000, "/new/q/"),
    ("/ctl/%09/", "/new/t/"),
    ("/ctl/%7F/", "/new/d/"),
]
HOSTILE = HOSTILE_KEPT + HOSTILE_DROPPED


def test_plan_drops_and_dedupes() -> None:
    plan = plan_redirects(ODD)
    assert plan.redirects == [
        Redirect("/", ("cat=3", "paged=2"), "/category/news/"),
        Redirect("/", ("p=12",), "/posts/hello-world/"),
        Redirect("/2010/05/hello-world/", (), "/posts/hello-world/"),
        Redirect(LONG, (), "/posts/long/"),
        Redirect('/a b/"q"/$x;y/', (), "/new/%C3%BCn%C3%AF%20code/%241;x/"),
        Redirect("/greek/επί/", (), "/el/%CE%B5%CF%80%CE%AF/"),
        Redirect("/index.php", ("cat=3", "paged=2"), "/category/news/"),
        Redirect("/index.php", ("p=12",), "/posts/hello-world/"),
    ]
    assert plan.dropped == Counter({"same address": 3, "a page of the new site": 1, "duplicate": 1,
                                    "conflicting target": 1, "unreadable": 3})


def test_netlify_file() -> None:
    plan = plan_redirects(ODD[:2] + ODD[7:9])
    assert render_netlify(plan) == (
        "# Redirects from the old WordPress addresses, written by wxr2db.\n"
        "# Netlify and Cloudflare Pages read this file from the root of the published site.\n"
        "/ p=12 /posts/hello-world/ 301!\n"
        "/2010/05/hello-world/ /posts/hello-world/ 301\n"
        "/a%20b/%22q%22/%24x;y/ /new/%C3%BCn%C3%AF%20code/%241;x/ 301\n"
        "/greek/%CE%B5%CF%80%CE%AF/ /el/%CE%B5%CF%80%CE%AF/ 301\n"
        "/index.php p=12 /posts/hello-world/ 301!\n")


def test_netlify_never_reads_a_query_value_as_a_placeholder() -> None:
    text = render_netlify(plan_redirects([("/?p=:id", "/new/1/"), ("/?s=a:b&c=:", "/new/2/")]))
    assert "/ p=%3Aid /new/1/ 301!" in text.splitlines()
    assert "/ s=a:b c=%3A /new/2/ 301!" in text.splitlines()
    assert not re.search(r"=:", text)


def test_nginx_files() -> None:
    files = render_nginx(plan_redirects(ODD[:2] + ODD[7:8]))
    assert files == {
        NGINX_INCLUDES[0]: (
            "# Redirects from the old WordPress addresses, written by wxr2db.\n"
            f"# Include in http {{}} before any other map block; then include {NGINX_INCLUDES[1]}\n"
            "# in the site's server {}. nginx matches map strings ignoring case.\n"
            "\n"
            "map $uri $wxr2db_redirect_path {\n"
            '    default "";\n'
            '    "/2010/05/hello-world/" "/posts/hello-world/";\n'
            '    "/2010/05/hello-world" "/posts/hello-world/";\n'
            '    "/a b/\\"q\\"/$x;y/" "/new/%C3%BCn%C3%AF%20code/%241;x/";\n'
            '    "/a b/\\"q\\"/$x;y" "/new/%C3%BCn%C3%AF%20code/%241;x/";\n'
            "}\n"
            "\n"
            "map $request_uri $wxr2db_redirect {\n"
            "    default $wxr2db_redirect_path;\n"
            '    "/?p=12" "/posts/hello-world/";\n'
            '    "/index.php?p=12" "/posts/hello-world/";\n'
            "}\n"),
        NGINX_INCLUDES[1]: (
            "# Include in the server {} of the new site, after the http {} include of\n"
            f"# {NGINX_INCLUDES[0]}. Written by wxr2db.\n"
            "if ($wxr2db_redirect) {\n"
            "    return 301 $wxr2db_redirect;\n"
            "}\n"),
    }


def test_nginx_bucket_size_grows_with_the_longest_key() -> None:
    assert bucket_size(["/short/"]) == 64
    assert bucket_size(["x" * 46]) == 64  # 8 + 48 + 8
    assert bucket_size(["x" * 47]) == 128
    assert bucket_size(["x" * 110]) == 128  # 8 + 112 + 8
    assert bucket_size([LONG]) == 512  # 244 bytes
    assert "map_hash_bucket_size 512;" in render_nginx(plan_redirects([(LONG, "/x/")]))[NGINX_INCLUDES[0]]


# --- Apache, read back by a small mod_rewrite of our own ------------------------------------------


def apache_rules(text: str) -> list[tuple[list[str], re.Pattern[str], str, str]]:
    """(condition patterns on QUERY_STRING, RewriteRule pattern, substitution, flags), failing on
    any line that is not one of the few directives the file may hold."""
    rules, conditions = [], []
    for line in text.splitlines():
        if not line or line.startswith("#") or line in ("<IfModule mod_rewrite.c>", "RewriteEngine On",
                                                         "</IfModule>"):
            continue
        words = line.split(" ")
        if words[0] == "RewriteCond":
            assert len(words) == 3 and words[1] == "%{QUERY_STRING}", line
            conditions.append(words[2])
            continue
        assert words[0] == "RewriteRule" and len(words) == 4, line
        assert words[3] in ("[R=301,L,NE]", "[R=301,L,NE,QSD]"), line
        assert not re.search(r"(?<!\\)[%$]", words[2]), f"unescaped back-reference in {line}"
        rules.append((conditions, re.compile(words[1]), words[2].replace("\\%", "%"), words[3]))
        conditions = []
    assert not conditions, "a RewriteCond with no rule after it"
    return rules


def apache_answer(rules: list[tuple[list[str], re.Pattern[str], str, str]], url: str) -> str | None:
    """What mod_rewrite in .htaccess does: the decoded path without its leading slash, as bytes,
    slashes merged (Apache's MergeSlashes, on by default)."""
    parts = urlsplit("http://old" + url)
    path = re.sub("/+", "/", unquote(parts.path)).lstrip("/").encode("utf-8").decode("latin-1")
    for conditions, pattern, target, _ in rules:
        if pattern.search(path) and all(re.search(c, parts.query) for c in conditions):
            return target
    return None


def test_apache_file_escapes_for_mod_rewrite() -> None:
    text = render_apache(plan_redirects(ODD))
    assert text.splitlines()[3:7] == [
        "RewriteCond %{QUERY_STRING} (?:^|&)cat=3(?:&|$)",
        "RewriteCond %{QUERY_STRING} (?:^|&)paged=2(?:&|$)",
        "RewriteRule ^$ /category/news/ [R=301,L,NE,QSD]",
        "RewriteCond %{QUERY_STRING} (?:^|&)p=12(?:&|$)",
    ]
    rules = apache_rules(text)
    assert {url: apache_answer(rules, url) for url in (
        "/2010/05/hello-world/", "/2010/05/hello-world", "/2010/05/hello-worldX", "/?p=12", "/?x=1&p=12",
        "/?p=123", "/index.php?p=12", "/a%20b/%22q%22/$x;y/", "/greek/%CE%B5%CF%80%CE%AF", LONG, "/?cat=3&paged=2",
        "/?cat=3",
    )} == {
        "/2010/05/hello-world/": "/posts/hello-world/", "/2010/05/hello-world": "/posts/hello-world/",
        "/2010/05/hello-worldX": None, "/?p=12": "/posts/hello-world/", "/?x=1&p=12": "/posts/hello-world/",
        "/?p=123": None, "/index.php?p=12": "/posts/hello-world/",
        "/a%20b/%22q%22/$x;y/": "/new/%C3%BCn%C3%AF%20code/%241;x/",
        "/greek/%CE%B5%CF%80%CE%AF": "/el/%CE%B5%CF%80%CE%AF/", LONG: "/posts/long/",
        "/?cat=3&paged=2": "/category/news/", "/?cat=3": None,
    }


# --- a real Apache ---------------------------------------------------------------------------------

APACHE = shutil.which("apache2") or ("/usr/sbin/apache2" if Path("/usr/sbin/apache2").exists() else None)
APACHE_MODULES = Path("/usr/lib/apache2/modules")
# A fresh Debian apache2 may have no MPM enabled; the test's own configuration loads one.
MPMS = ("mod_mpm_event.so", "mpm_event_module"), ("mod_mpm_prefork.so", "mpm_prefork_module")


def apache_config(root: Path, port: int) -> str:
    """A configuration of our own: an MPM, mod_rewrite, and `root/site` with .htaccess allowed."""
    mpm = next(((f, m) for f, m in MPMS if (APACHE_MODULES / f).exists()), None)
    needed = ["mod_rewrite.so", "mod_authz_core.so"] + ([mpm[0]] if mpm else [])
    missing = [name for name in needed if not (APACHE_MODULES / name).exists()]
    if APACHE is None or mpm is None or missing:
        pytest.skip(f"Apache cannot be configured here (apache2 {'found' if APACHE else 'missing'}, "
                    f"modules missing from {APACHE_MODULES}: {', '.join(missing) or 'an MPM'})")
    # As root, Apache serves as another user, who must be able to read the folder.
    user = "User nobody\nGroup nogroup\n" if os.geteuid() == 0 else ""
    return (f"ServerRoot {root}\nServerName localhost\nListen 127.0.0.1:{port}\n{user}"
            f"LoadModule {mpm[1]} {APACHE_MODULES / mpm[0]}\n"
            f"LoadModule rewrite_module {APACHE_MODULES}/mod_rewrite.so\n"
            f"LoadModule authz_core_module {APACHE_MODULES}/mod_authz_core.so\n"
            f"PidFile {root}/httpd.pid\nErrorLog {root}/error.log\nDefaultRuntimeDir {root}\n"
            f"DocumentRoot {root}/site\n<Directory {root}/site>\n  AllowOverride All\n"
            "  Require all granted\n</Directory>\n")


@pytest.fixture
def apache_root() -> Iterator[Path]:
    """A folder Apache's user can read (pytest's tmp_path is private to root)."""
    with tempfile.TemporaryDirectory(prefix="wxr2db-apache-") as name:
        root = Path(name)
        root.chmod(0o755)
        (root / "site").mkdir(mode=0o755)
        yield root


def test_apache_config_test(apache_root: Path) -> None:
    (apache_root / "site" / ".htaccess").write_text(render_apache(plan_redirects(ODD + HOSTILE)), encoding="utf-8")
    (apache_root / "apache.conf").write_text(apache_config(apache_root, free_port())
                                             + f"Include {apache_root}/site/.htaccess\n", encoding="utf-8")
    result = subprocess.run([str(APACHE), "-t", "-f", str(apache_root / "apache.conf")], capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def start_apache(root: Path, htaccess: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    (root / "site" / ".htaccess").write_text(htaccess, encoding="utf-8")
    (root / "site" / ".htaccess").chmod(0o644)
    (root / "apache.conf").write_text(apache_config(root, port), encoding="utf-8")
    server = subprocess.Popen([str(APACHE), "-f", str(root / "apache.conf"), "-DFOREGROUND"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return server, wait_for(server, port, root / "error.log")


def wait_for(server: subprocess.Popen[bytes], port: int, log: Path) -> int:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and server.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return port
        except OSError:
            time.sleep(0.05)
    stop(server)
    raise AssertionError(f"the server did not listen on 127.0.0.1:{port}: {log.read_text() if log.exists() else ''}")


def test_hostile_addresses_are_kept_or_dropped_and_counted() -> None:
    plan = plan_redirects(HOSTILE)
    assert sorted(r.target for r in plan.redirects) == sorted(
        [t for _, t in HOSTILE_KEPT] + ["/new/13/", "/new/14/"])  # + the /index.php spellings
    assert plan.dropped == Counter({"too long for nginx or Apache": 4, "unreadable": 2})
    assert dropped_warnings(plan) == ["redirects: 2 rules left out: unreadable",
                                      "redirects: 4 rules left out: too long for nginx or Apache"]
    # Every line of every file within the servers' limits, whatever the input.
    for text in render_redirects(plan, ["netlify", "nginx", "apache"]).values():
        assert max(len(line.encode()) for line in text.splitlines()) <= 8000
    assert not dropped_warnings(plan_redirects(ODD[:3]))


def hostile_requests() -> dict[str, tuple[int, str | None]]:
    """Each kept address as a browser would send it (fully encoded, and with what browsers leave
    as it is), with the answer a server must give; then addresses that must stay 404s."""
    wanted: dict[str, tuple[int, str | None]] = {}
    for old, new in HOSTILE_KEPT:
        parts = urlsplit(old)
        if parts.query:
            query = quote(parts.query, safe="".join(chr(c) for c in range(0x21, 0x7f) if chr(c) not in "\"#<>'"))
            wanted[f"/?{query}"] = wanted[f"/index.php?{query}"] = (301, new)
            continue
        path = unquote(parts.path)
        wanted[quote(path, safe="/")] = (301, new)
        wanted[quote(path, safe="/;$'[]!*()+,=@:&~")] = (301, new)
    wanted.update({"/space%20here/two/": (404, None), "/?s=caf%C3%A9": (404, None),
                   "/" + "x" * 4100 + "/": (404, None), "/target-too-long/": (404, None)})
    return wanted


def test_nginx_serves_hostile_addresses(nginx: tuple[Path, list[tuple[subprocess.Popen[bytes], int]]]) -> None:
    folder, servers = nginx
    servers.append(start_nginx(folder, render_nginx(plan_redirects(ODD + HOSTILE))))
    wanted = hostile_requests()
    assert answers(servers[0][1], list(wanted)) == wanted


def test_apache_serves_hostile_addresses(apache_root: Path) -> None:
    server, port = start_apache(apache_root, render_apache(plan_redirects(ODD + HOSTILE)))
    try:
        wanted = hostile_requests()
        # Apache refuses a path segment longer than a file name can be (403) before any rule runs.
        got = {url: (404 if status == 403 else status, to) for url, (status, to) in answers(port, list(wanted)).items()}
        assert got == wanted
    finally:
        stop(server)


def test_apache_answers_500_to_a_line_over_its_limit(apache_root: Path) -> None:
    """Why rules are dropped: one long line and Apache refuses every request under the folder."""
    long_rule = f"RewriteRule ^{'x' * 9000}$ /x/ [R=301,L]\n"
    server, port = start_apache(apache_root, render_apache(plan_redirects(ODD[:1])) + long_rule)
    try:
        assert answers(port, ["/2010/05/hello-world/"])["/2010/05/hello-world/"][0] == 500
    finally:
        stop(server)


# --- a real nginx -----------------------------------------------------------------------------------

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def start_nginx(folder: Path, files: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    port = free_port()
    temp = "".join(f"{kind}_temp_path {folder}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi",
                                                                            "uwsgi", "scgi"))
    (folder / "nginx.conf").write_text(
        f"daemon off;\nmaster_process off;\nworker_processes 1;\npid {folder}/nginx.pid;\n"
        f"error_log {folder}/error.log;\nevents {{ worker_connections 64; }}\n"
        f"http {{\n  access_log off;\n{temp}  include {folder}/{NGINX_INCLUDES[0]};\n"
        f"  server {{\n    listen 127.0.0.1:{port};\n    include {folder}/{NGINX_INCLUDES[1]};\n"
        "    location / { return 404; }\n  }\n}\n", encoding="utf-8")
    command = [str(NGINX), "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(folder / "error.log")]
    check = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return server, wait_for(server, port, folder / "error.log")


@pytest.fixture
def nginx(tmp_path: Path) -> Iterator[tuple[Path, list[tuple[subprocess.Popen[bytes], int]]]]:
    if NGINX is None:
        pytest.skip("nginx is not installed (Debian: apt-get install nginx-light)")
    servers: list[tuple[subprocess.Popen[bytes], int]] = []
    yield tmp_path, servers
    for server, _ in servers:
        stop(server)


def answers(port: int, paths: list[str]) -> dict[str, tuple[int, str | None]]:
    found = {}
    for path in paths:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", path)
        response = conn.getresponse()
        location = response.getheader("Location")
        found[path] = (response.status, location.replace(f"http://127.0.0.1:{port}", "") if location else None)
        conn.close()
    return found


def test_nginx_serves_the_redirects(nginx: tuple[Path, list[tuple[subprocess.Popen[bytes], int]]]) -> None:
    folder, servers = nginx
    servers.append(start_nginx(folder, render_nginx(plan_redirects(ODD))))
    port = servers[0][1]
    wanted = {
        "/2010/05/hello-world/": (301, "/posts/hello-world/"),
        "/2010/05/hello-world": (301, "/posts/hello-world/"),
        "/2010/05/Hello-World/": (301, "/posts/hello-world/"),
        # Slashes merged, a query string ignored (and not passed on: `return` does not append it).
        "/2010//05/hello-world/?utm_source=x": (301, "/posts/hello-world/"),
        "/?p=12": (301, "/posts/hello-world/"),
        "/index.php?p=12": (301, "/posts/hello-world/"),
        "/?p=123": (404, None),
        "/a%20b/%22q%22/$x;y/": (301, "/new/%C3%BCn%C3%AF%20code/%241;x/"),
        "/greek/%ce%b5%cf%80%ce%af/": (301, "/el/%CE%B5%CF%80%CE%AF/"),
        "/greek/%CE%B5%CF%80%CE%AF": (301, "/el/%CE%B5%CF%80%CE%AF/"),
        quote(LONG): (301, "/posts/long/"),
        "/?cat=3&paged=2": (301, "/category/news/"),
        "/about/": (404, None),
        "/posts/hello-world/": (404, None),
    }
    assert answers(port, list(wanted)) == wanted


@pytest.mark.corpus
def test_nginx_serves_the_corpus_redirects(
        nginx: tuple[Path, list[tuple[subprocess.Popen[bytes], int]]],
        export: tuple[Site, list[Post], list[Term]]) -> None:
    index = corpus_index(export)
    plan = plan_redirects(index.redirects.items())
    folder, servers = nginx
    servers.append(start_nginx(folder, render_nginx(plan)))
    wanted = {old: (301, target) for old, target in index.redirects.items()
              if urlsplit(old).path not in ("/category/", "/tag/") and not old.startswith(("/category/", "/tag/"))}
    wanted["//greek/%ce%b5%cf%80%ce%af%cf%80%ce%b5%ce%b4%ce%bf-2/"] = (301, "/new/1811/")
    wanted["/2010/09/10/post-format-gallery"] = (301, "/new/555/")
    assert len(wanted) > 200
    assert answers(servers[0][1], list(wanted)) == wanted
    rules = apache_rules(render_apache(plan))
    assert {old: apache_answer(rules, old) for old in wanted} == {old: t for old, (_, t) in wanted.items()}


def test_render_redirects_names_files() -> None:
    plan = RedirectPlan([Redirect("/a/", (), "/b/")])
    assert sorted(render_redirects(plan, ["netlify", "nginx", "apache"])) == [
        ".htaccess", "_redirects", *NGINX_INCLUDES]
    with pytest.raises(ValueError, match="unknown redirect format 'iis'"):
        render_redirects(plan, ["iis"])


# --- aliases ------------------------------------------------------------------------------------------


def test_aliases_never_name_the_page_itself() -> None:
    assert aliases([
        "https://example.com/2010/05/hello/", "/2010/05/hello", "/posts/hello/", "/Posts/Hello", "/posts/hello",
        "/?p=12", "/", "https://example.com", "/caf%C3%A9/", "/caf%c3%a9", "/café/", "http://[x/",
    ], "/posts/hello/") == ["/2010/05/hello/", "/café/"]
    assert aliases(["/caf%c3%a9/"], "/café") == []
    assert aliases(["/greek/%ce%b5%cf%80%ce%af/"], "/greek/") == ["/greek/επί/"]


def test_the_markdown_command_warns_of_rules_left_out(tmp_path: Path) -> None:
    long_link = "http://example.com/" + "a-long-slug-" * 400 + "/"
    text = export_text(item(1, "Long"), item(2, "Short")).replace("http://example.com/post-1/", long_link)
    (tmp_path / "site.xml").write_text(text, encoding="utf-8")
    result = cli("markdown", tmp_path / "site.xml", tmp_path / "out", "--redirects", "nginx,apache")
    assert result.exit_code == 0, result.output
    assert "warning: redirects: 1 rule left out: too long for nginx or Apache" in result.stderr
    assert "a-long-slug" not in (tmp_path / "out" / ".htaccess").read_text()
    assert "/post-2/" in (tmp_path / "out" / ".htaccess").read_text()


HUGO = shutil.which("hugo")


@pytest.mark.parametrize("keep", [(), ("--keep-permalinks",)])
@pytest.mark.generators
def test_an_old_address_no_file_system_holds_never_breaks_the_build(tmp_path: Path, keep: tuple[str, ...]) -> None:
    """Hugo writes an alias (or a kept permalink) as a folder: one name over 255 bytes and the
    whole build stopped with "file name too long"."""
    text = export_text(item(1, "Long"), item(2, "Short")).replace(
        "http://example.com/post-1/", "http://example.com/2020/" + "\u00e9" * 200 + "/")
    (tmp_path / "site.xml").write_text(text, encoding="utf-8")
    result = cli("markdown", tmp_path / "site.xml", tmp_path / "site", "--layout", "hugo", *keep)
    assert result.exit_code == 0, result.output
    done = "is published at its new URL" if keep else "gets no alias from it"
    assert f"warning: post 1: its old address is longer than a file name or path may be; the post {done}" \
        in result.stderr
    assert "\u00e9" * 200 not in "".join(p.read_text() for p in (tmp_path / "site").rglob("*.md"))
    assert "/post-2/" in (tmp_path / "site" / "content" / "posts" / "post-2" / "index.md").read_text()
    if HUGO is None:
        pytest.skip("hugo is not installed; the front matter was checked")
    (tmp_path / "site" / "hugo.toml").write_text('baseURL = "http://example.org/"\ntitle = "x"\n')
    build = subprocess.run([HUGO, "--quiet", "-s", str(tmp_path / "site")], capture_output=True, text=True,
                           timeout=120)
    assert build.returncode == 0, build.stderr


def test_aliases_leave_out_paths_no_file_system_holds() -> None:
    assert aliases(["/a/" + "x" * 255 + "/", "/b/" + "x" * 256 + "/", "/c" + "/seg" * 600 + "/"], "/new/") == [
        "/a/" + "x" * 255 + "/"]
