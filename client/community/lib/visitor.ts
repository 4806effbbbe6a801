import type { CommunityConnectOptions } from '../../lib/community/client.svelte.js';
import { openVisitorSession, readStoredToken, storeToken } from '../../widget/lib/visitor-api.js';

/**
 * The visitor's identity on the community page: the same stored token as the chat widget on this
 * origin, so "ask an agent" opens a chat the widget then resumes, and sanctions follow the person.
 */
export async function visitorAuth(): Promise<{ ok: true; options: CommunityConnectOptions } | { ok: false }> {
  let token: string | undefined;
  const renew = async (): Promise<boolean> => {
    const session = await openVisitorSession('', token);
    if (!session.ok) return false;
    token = session.data.token;
    storeToken(token);
    return true;
  };
  token = readStoredToken();
  if (!(await renew())) return { ok: false };
  return { ok: true, options: { token: () => token, renew } };
}
