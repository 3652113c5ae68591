/** How often the binlog archive is checked (started, following the primary) and its lag sampled: the ± of its age. */
export const ARCHIVE_CHECK_MS = 1000;
