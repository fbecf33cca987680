// Debian's libqrencode (apt-get install libqrencode-dev): the QR encoder of the printed forms.
#include <qrencode.h>
