// Reading a Redis append-only file (docs/backup-restore.md): the commands in its RESP framing, as the
// server wrote them (`*<argc>\r\n` then `$<len>\r\n<bytes>\r\n` per argument). Pure, unit-tested
// (test/unit/aof-scan.test.ts). The classic recovery from a FLUSHALL: cut the file where it begins.

export interface AofCommand {
  /** Byte offset of the command's first byte (its `*`). */
  offset: number;
  /** Its arguments, as written (the client's case: `flushall` as often as `FLUSHALL`). */
  args: string[];
}

/**
 * Every whole command in `buf`, in order; `tail` is the offset where an unfinished one begins (a copy taken
 * while the server appended), or null when the file ends on a command's last byte.
 */
export function scanAof(buf: Buffer): { commands: AofCommand[]; tail: number | null } {
  const commands: AofCommand[] = [];
  let at = 0;
  const line = (from: number): { text: string; next: number } | null => {
    const end = buf.indexOf('\r\n', from, 'latin1');
    return end < 0 ? null : { text: buf.toString('latin1', from, end), next: end + 2 };
  };
  while (at < buf.length) {
    const start = at;
    const head = line(at);
    if (!head) return { commands, tail: start };
    if (!/^\*\d+$/.test(head.text)) throw new Error(`not an AOF command at byte ${start}: ${JSON.stringify(head.text.slice(0, 40))}`);
    const argc = Number(head.text.slice(1));
    at = head.next;
    const args: string[] = [];
    for (let i = 0; i < argc; i++) {
      const len = line(at);
      if (!len) return { commands, tail: start };
      if (!/^\$\d+$/.test(len.text)) throw new Error(`not an AOF argument at byte ${at}: ${JSON.stringify(len.text.slice(0, 40))}`);
      const n = Number(len.text.slice(1));
      if (len.next + n + 2 > buf.length) return { commands, tail: start };
      args.push(buf.toString('utf8', len.next, len.next + n));
      at = len.next + n + 2;
    }
    commands.push({ offset: start, args });
  }
  return { commands, tail: null };
}

/** The operator mistakes a Redis restore can cut out: the statement's words, as a client sends them. */
export function mistakeWords(statement: string): string[] {
  return statement.trim().split(/\s+/).filter(Boolean);
}

/** Whether `statement` is one a restore can find in the AOF and cut out (it empties data). */
export function redisMistakeProblem(statement: string): string | null {
  const [cmd, ...rest] = mistakeWords(statement);
  const name = (cmd ?? '').toUpperCase();
  if ((name === 'FLUSHALL' || name === 'FLUSHDB') && rest.every((a) => /^(SYNC|ASYNC)$/i.test(a))) return null;
  if ((name === 'DEL' || name === 'UNLINK') && rest.length > 0) return null;
  return `expected a Redis command that destroys data: FLUSHALL, FLUSHDB (optionally SYNC/ASYNC), or DEL/UNLINK <key>…, got ${JSON.stringify(statement)}`;
}

/**
 * The first command in `commands` that is the mistake: the same command name (any case) and the same
 * arguments (keys compared exactly, options in any case). With several equal mistakes the first is cut.
 */
export function findMistake(commands: readonly AofCommand[], statement: string): AofCommand | null {
  const [cmd, ...rest] = mistakeWords(statement);
  const name = (cmd ?? '').toUpperCase();
  const isFlush = name === 'FLUSHALL' || name === 'FLUSHDB';
  return (
    commands.find((c) => {
      if ((c.args[0] ?? '').toUpperCase() !== name) return false;
      // SYNC/ASYNC only say how the server frees the memory: not compared.
      if (isFlush) return true;
      return c.args.length === rest.length + 1 && rest.every((a, i) => c.args[i + 1] === a);
    }) ?? null
  );
}
