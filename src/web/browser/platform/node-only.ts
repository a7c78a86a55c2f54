/**
 * What the web build puts in place of a module that only Node has, reached
 * by a dynamic import on a path the page never takes (SifImage.open of a
 * path, a PEM key's signature check): loading it fails with a clear message.
 */
import { SifError } from '../../../errors.js';

throw new SifError('SIF_INTERNAL', 'not available in the web page: use the sif CLI for this');
