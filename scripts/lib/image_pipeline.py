#!/usr/bin/env python3
"""Runs a pipeline's jobs inside container images with buildah, as GitLab's Docker executor
would: each job's before_script + script (and after_script) in the image its `image:` names
(or `default: image:`), with the job's variables, in the project directory mounted at the same
path. Used by scripts/test.d/70-pipeline.sh on the variant offline_pipeline.py writes.

  image_pipeline.py VARIANT.yml --project DIR --image NAME=LOCAL [--image ...] [--pass-env VAR ...]
                    [--mount SRC:DST[:ro] ...] [--buildah "buildah --root ... "] [--log FILE] [--play JOB ...]

NAME is an image as the YAML names it (after variable expansion), LOCAL the local image that
stands in for it. A job whose image has no mapping fails. Jobs run in stage order, file order
within a stage; `parallel: matrix` jobs run once per combination, named as GitLab names them
("integration: [SUITE_SHARD=1/2]"); `rules: - if:` with ==, !=, && and bare $VAR are
evaluated; a job runs when its needs passed, `when: always` jobs run anyway, `when: manual`
jobs only when named by --play (someone pressed its play button). One container per
image serves every job of that image (the project directory, like GitLab's artifacts and
caches, carries what one job leaves to the next). Prints "[pass] NAME (Ns)" or "[fail] NAME
(exit N)" per job; exits 1 when any job failed.
It is not GitLab: no services:, no artifacts:reports upload, no retry, no timeout per job
(the caller bounds the whole)."""
import argparse
import itertools
import os
import re
import shlex
import subprocess
import sys
import time

import yaml

NON_JOBS = {"stages", "variables", "default", "include", "image", "services", "before_script",
            "after_script", "cache", "workflow", "spec"}


def load(path):
    doc = yaml.safe_load(open(path))
    everything = {}
    for inc in doc.get("include", []) or []:
        if isinstance(inc, dict) and "local" in inc:
            everything.update(yaml.safe_load(open(inc["local"])) or {})
    everything.update(doc)
    return doc, everything


def resolved(name, everything):
    job = everything[name]
    parents = job.get("extends", [])
    parents = [parents] if isinstance(parents, str) else parents
    merged = {}
    for p in parents:
        merged.update(resolved(p, everything))
    for key, value in job.items():
        if key == "variables" and isinstance(value, dict):
            merged["variables"] = {**merged.get("variables", {}), **value}
        elif key != "extends":
            merged[key] = value
    return merged


def expand(value, env):
    return re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: env.get(m.group(1), ""), str(value))


def rule_matches(expression, env):
    for part in expression.split("&&"):
        part = part.strip()
        m = re.fullmatch(r'\$([A-Za-z_][A-Za-z0-9_]*)\s*(==|!=)\s*"([^"]*)"', part)
        if m:
            equal = env.get(m.group(1), "") == m.group(3)
            if equal != (m.group(2) == "=="):
                return False
        elif re.fullmatch(r"\$[A-Za-z_][A-Za-z0-9_]*", part):
            if not env.get(part[1:]):
                return False
        else:
            raise SystemExit(f"image_pipeline: cannot evaluate rule {expression!r}")
    return True


def lines(value):
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def instances(name, job):
    matrix = (job.get("parallel") or {}).get("matrix") if isinstance(job.get("parallel"), dict) else None
    if not matrix:
        yield name, {}
        return
    for entry in matrix:
        keys = list(entry)
        values = [v if isinstance(v, list) else [v] for v in entry.values()]
        for combo in itertools.product(*values):
            extra = dict(zip(keys, map(str, combo)))
            yield f"{name}: [{', '.join(f'{k}={v}' for k, v in extra.items())}]", extra


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("variant")
    parser.add_argument("--project", required=True)
    parser.add_argument("--image", action="append", default=[])
    parser.add_argument("--pass-env", action="append", default=[])
    parser.add_argument("--mount", action="append", default=[], help="SRC:DST[:ro], as a runner's volumes")
    parser.add_argument("--buildah", default="buildah")
    parser.add_argument("--log", default=None)
    parser.add_argument("--play", action="append", default=[], help="a manual job to run, as its play button would")
    args = parser.parse_args()
    buildah = shlex.split(args.buildah)
    images = dict(item.split("=", 1) for item in args.image)
    doc, everything = load(args.variant)
    project = os.path.abspath(args.project)
    default = doc.get("default", {}) or {}
    stages = doc.get("stages", [])
    glob_vars = {k: str(v) for k, v in (doc.get("variables") or {}).items()}
    base_env = {"CI": "true", "CI_PROJECT_DIR": project, "CI_PROJECT_NAME": os.path.basename(project),
                "CI_PIPELINE_SOURCE": "local", "CI_PIPELINE_ID": glob_vars.get("CI_PIPELINE_ID", str(os.getpid())),
                "HOME": "/root", "LANG": "C.UTF-8"}
    for name in args.pass_env:
        if name in os.environ:
            base_env[name] = os.environ[name]

    jobs = []
    for name, raw in doc.items():
        if name in NON_JOBS or name.startswith(".") or not isinstance(raw, dict):
            continue
        job = resolved(name, everything)
        for instance, extra in instances(name, job):
            jobs.append((stages.index(job.get("stage", "test")) if job.get("stage", "test") in stages else len(stages), instance, name, job, extra))
    jobs.sort(key=lambda j: j[0])

    log = open(args.log, "a") if args.log else sys.stdout
    containers, outcome, failed_any = {}, {}, False
    try:
        for _, instance, name, job, extra in jobs:
            env = {**base_env, **glob_vars}
            for key, value in (job.get("variables") or {}).items():
                env[key] = expand(value.get("value", "") if isinstance(value, dict) else value, env)
            env.update(extra)
            env["CI_JOB_NAME"] = instance
            env["CI_JOB_ID"] = str(len(outcome) + 1)
            rules = job.get("rules")
            if rules is not None:
                chosen = next((r for r in rules if "if" not in r or rule_matches(r["if"], env)), None)
                if chosen is None or chosen.get("when") == "never":
                    print(f"[skip] {instance} (rules)", file=log, flush=True)
                    continue
                if chosen.get("when") == "manual":
                    job = {**job, "when": "manual"}
            if job.get("when") == "manual" and name not in args.play:
                print(f"[skip] {instance} (manual)", file=log, flush=True)
                continue
            needs = [n["job"] if isinstance(n, dict) else n for n in job.get("needs", []) or []]
            blocked = [n for n in needs if any(outcome.get(k) is False for k in outcome if k == n or k.startswith(n + ": ["))]
            if job.get("when") != "always" and (blocked or (job.get("needs") is None and failed_any)):
                print(f"[skip] {instance} (a job it needs failed)", file=log, flush=True)
                continue
            image = job.get("image", default.get("image"))
            image = expand(image.get("name") if isinstance(image, dict) else image, env)
            if image not in images:
                print(f"[fail] {instance} (exit 125): no local image stands in for {image!r}", file=log, flush=True)
                outcome[instance] = False
                failed_any = True
                continue
            if image not in containers:
                made = subprocess.run(buildah + ["from", "--pull-never", images[image]], capture_output=True, text=True)
                if made.returncode != 0:
                    raise SystemExit(f"image_pipeline: buildah from {images[image]}: {made.stderr.strip()}")
                containers[image] = made.stdout.strip().splitlines()[-1]
            run = buildah + ["run", "--isolation", "chroot", "--volume", f"{project}:{project}", "--workingdir", project]
            for volume in args.mount:
                run += ["--volume", volume]
            for key, value in env.items():
                run += ["--env", f"{key}={value}"]
            body = "\n".join(lines(job.get("before_script", default.get("before_script"))) + lines(job.get("script")))
            started = time.monotonic()
            print(f"[run]  {instance} in {image}", file=log, flush=True)
            result = subprocess.run(run + [containers[image], "--", "bash", "-c", "set -eo pipefail\n" + body], stdout=log, stderr=subprocess.STDOUT)
            after = lines(job.get("after_script", default.get("after_script")))
            if after:
                subprocess.run(run + [containers[image], "--", "bash", "-c", "\n".join(after)], stdout=log, stderr=subprocess.STDOUT)
            seconds = int(time.monotonic() - started)
            outcome[instance] = result.returncode == 0
            failed_any |= result.returncode != 0
            state = "pass" if result.returncode == 0 else "fail"
            print(f"[{state}] {instance} ({seconds}s{'' if result.returncode == 0 else f', exit {result.returncode}'})", file=log, flush=True)
    finally:
        for ctr in containers.values():
            subprocess.run(buildah + ["rm", ctr], capture_output=True)
    sys.exit(1 if failed_any else 0)


if __name__ == "__main__":
    main()
