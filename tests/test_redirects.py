"""Redirect rules: the plan, each server's syntax, a real nginx serving them, and Hugo/Jekyll aliases."""

from __future__ import annotations

import http.client
import re
import shutil
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest

from tests.helpers import free_port, stop
from tests.test_urls import corpus_index, export  # noqa: F401  (export is a fixture)
from wxr2db.records import Post, Site, Term
from wxr2db.site.redirects import (
    NGINX_INCLUDES,
    Redirect,
    RedirectPlan,
    aliases,
    bucket_size,
    plan_redirects,
    render_apache,
    render_netlify,
    render_nginx,
    render_redirects,
)

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


@pytest.mark.skipif(shutil.which("apache2ctl") is None, reason="apache2 is not installed; the file is checked by "
                    "test_apache_file_escapes_for_mod_rewrite instead")
def test_apache_config_test(tmp_path: Path) -> None:  # pragma: no cover - only where apache2 is installed
    (tmp_path / ".htaccess").write_text(render_apache(plan_redirects(ODD)), encoding="utf-8")
    conf = tmp_path / "apache.conf"
    conf.write_text(f"ServerRoot {tmp_path}\nListen 127.0.0.1:0\nLoadModule rewrite_module "
                    "/usr/lib/apache2/modules/mod_rewrite.so\n"
                    f"Include {tmp_path / '.htaccess'}\n", encoding="utf-8")
    result = subprocess.run(["apache2ctl", "-t", "-f", str(conf)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


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
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, port
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise AssertionError(f"nginx did not listen on 127.0.0.1:{port}: {(folder / 'error.log').read_text()}")


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
        export: tuple[Site, list[Post], list[Term]]) -> None:  # noqa: F811
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
