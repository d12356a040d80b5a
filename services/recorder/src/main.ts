import { runService } from '@meridian/runtime';
import { recorderService } from './service';

runService(recorderService);
