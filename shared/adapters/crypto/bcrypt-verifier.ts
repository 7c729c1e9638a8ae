import bcrypt from 'bcryptjs';

/**
 * bcrypt verification with `bcryptjs` 3.0.3 (pure JavaScript: no native binary per Lambda
 * architecture). Only the first 72 bytes of a password count, as in the systems that made the
 * hashes. The cost is bounded before this runs (`legacyHashProblem`).
 */
export async function bcryptVerify(hash: string, password: string): Promise<boolean> {
  try {
    return await bcrypt.compare(password, hash);
  } catch {
    return false; // unparsable hash
  }
}
