import { runService } from '@meridian/runtime';
import { orderBookService } from './service';

runService(orderBookService);
