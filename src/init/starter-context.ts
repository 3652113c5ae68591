/** What a starter template is filled with. */
export interface StarterContext {
  /** The drill's name. */
  name: string;
  /** The editor's schema line and a blank comment line, or "" (each template starts with its own comment). */
  header: string;
}
