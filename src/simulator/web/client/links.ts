/** Deep links: `/?user=<openid>&user=<openid>&item=<id>` opens those phones and that exchange. */

export interface Link {
  users: string[];
  item?: number;
}

export function readLink(): Link {
  const params = new URLSearchParams(location.search);
  const item = Number(params.get('item'));
  return {
    users: params.getAll('user').slice(0, 8),
    ...(Number.isSafeInteger(item) && item > 0 && { item }),
  };
}

export function writeLink(link: Link): void {
  const params = new URLSearchParams();
  for (const user of link.users) params.append('user', user);
  if (link.item) params.set('item', String(link.item));
  const query = params.toString();
  history.replaceState(null, '', query ? `/?${query}` : '/');
}
