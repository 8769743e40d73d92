export interface ImportProblem {
  line: number;
  /** The column's name as in the header, or null when the whole line (or file) is at fault. */
  column: string | null;
  message: string;
}

/** Collects every problem of one file, up to a cap, so one run shows the ERP team all that is wrong. */
export class ImportProblems {
  readonly list: ImportProblem[] = [];
  count = 0;

  constructor(
    readonly file: string,
    readonly cap = 100,
  ) {}

  add(line: number, column: string | null, message: string): void {
    this.count++;
    if (this.list.length < this.cap) this.list.push({ line, column, message });
  }

  format(problem: ImportProblem): string {
    const where = [this.file, problem.line > 0 ? `regel ${problem.line}` : null, problem.column ? `kolom ${problem.column}` : null]
      .filter(Boolean)
      .join(', ');
    return `${where}: ${problem.message}`;
  }
}

export class ImportFailedError extends Error {
  readonly problems: ImportProblem[];
  readonly problemCount: number;

  constructor(readonly collected: ImportProblems) {
    const sorted = [...collected.list].sort((a, b) => a.line - b.line);
    const more = collected.count - sorted.length;
    super(
      [
        `${collected.file} is niet geïmporteerd (er is niets gewijzigd): ${collected.count} ${collected.count === 1 ? 'fout' : 'fouten'}.`,
        ...sorted.map((p) => `  ${collected.format(p)}`),
        ...(more > 0 ? [`  ... en nog ${more} ${more === 1 ? 'fout' : 'fouten'}`] : []),
      ].join('\n'),
    );
    this.name = 'ImportFailedError';
    this.problems = sorted;
    this.problemCount = collected.count;
  }
}
