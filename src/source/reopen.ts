/**
 * Opens a source from its identity, in a digest worker (Node only). Each
 * kind of source that workers may hash adds its case here.
 */
import { BlobSource } from './blob.js';
import type { ByteSource, SourceIdentity } from './byte-source.js';
import { FileSource } from './file.js';

/** The bytes `identity` describes, or undefined when they changed or cannot be opened (the main thread hashes them). */
export function reopenSource(identity: SourceIdentity): Promise<ByteSource | undefined> {
  switch (identity.kind) {
    case 'file':
      return FileSource.reopen(identity);
    case 'blob':
      return Promise.resolve(new BlobSource(identity.blob));
  }
}
