/** Pulls the runnable examples out of a Markdown document, for the tests that run them. */

/** Every fenced block preceded by `<!-- example: NAME -->`, by name. */
export function examples(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of markdown.matchAll(/<!-- example: ([\w-]+) -->\n```[^\n]*\n([\s\S]*?)\n```/g)) {
    out.set(m[1]!, `${m[2]!}\n`);
  }
  return out;
}

/**
 * The shell a CI system would run for a YAML step: `run: |` and `script: |`
 * block scalars as they are, `script:` lists joined line by line (GitLab runs
 * each item and stops at the first failure, as `set -e` does). The step's
 * `env:`/`variables:` are left to the caller's environment.
 */
export function shellOfYaml(yaml: string): string {
  const lines = yaml.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)(?:- )?(run|script):\s*(\|)?\s*$/.exec(lines[i]!);
    if (!m) continue;
    const indent = m[1]!.length;
    const body: string[] = [];
    for (i++; i < lines.length && (lines[i]!.trim() === '' || lines[i]!.search(/\S/) > indent); i++) body.push(lines[i]!);
    i--;
    if (m[3]) out.push(dedent(body));
    else out.push('set -e', ...body.filter((l) => l.trim() !== '').map((l) => l.replace(/^\s*- /, '')));
  }
  if (out.length === 0) throw new Error('no run: or script: in the YAML example');
  return `${out.join('\n')}\n`;
}

function dedent(lines: string[]): string {
  const width = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.search(/\S/)));
  return lines.map((l) => l.slice(width)).join('\n');
}
