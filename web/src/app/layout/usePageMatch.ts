import { matchPath, useLocation } from 'react-router-dom';
import { PAGES, type PageDef } from '../pages';

/** The registered page the current URL shows (exact paths win over parameterised ones). */
export function usePageMatch(): PageDef | undefined {
  const { pathname } = useLocation();
  return (
    PAGES.find((p) => !p.path.includes(':') && matchPath(p.path, pathname)) ??
    PAGES.find((p) => matchPath(p.path, pathname))
  );
}
