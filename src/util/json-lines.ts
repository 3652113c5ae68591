/**
 * Each JSON value of a newline-delimited JSON stream (the engine's event stream), parsed, as chunks arrive;
 * a line that is not JSON is skipped. `afterChunk` runs once per chunk, after its lines.
 */
export function onJsonLines(stream: NodeJS.ReadableStream, onValue: (value: unknown) => void, afterChunk?: () => void): void {
  let partial = '';
  stream.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue;
      }
      onValue(value);
    }
    afterChunk?.();
  });
}
