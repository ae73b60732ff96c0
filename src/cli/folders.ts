/** The one folder of rehearsals: where `rehearse init` writes them, what `rehearse ci` reads when no folder is named. */
export const REHEARSALS_FOLDER = 'rehearsals';
