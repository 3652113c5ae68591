import type { Docker } from './docker-client.js';
import { errorMessage } from '../util/errors.js';

export async function imagePresent(docker: Docker, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch {
    return false;
  }
}

/** A registry that does not answer within this long is taken as absent (a pull that has started may take longer). */
const FIRST_ANSWER_TIMEOUT_MS = 20_000;

/**
 * Pull an image through the engine (the engine reaches the registry, not drill). Resolves with null when
 * it is there, or with the engine's reason when it cannot be had: the callers decide whether that is an
 * error (an image the drill file names) or a fallback (drill's base, built offline instead).
 */
export async function pullImage(docker: Docker, image: string): Promise<string | null> {
  try {
    const stream = await withTimeout(docker.pull(image), FIRST_ANSWER_TIMEOUT_MS, `no answer from the registry in ${FIRST_ANSWER_TIMEOUT_MS / 1000} s`);
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(stream, (error: Error | null, output: { error?: string }[] | undefined) => {
        const failed = output?.find((o) => o.error);
        if (error) reject(error);
        else if (failed) reject(new Error(failed.error));
        else resolve();
      });
    });
    return null;
  } catch (error) {
    return errorMessage(error);
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, why: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(why));
    }, timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}
